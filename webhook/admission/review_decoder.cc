#include "webhook/admission/review_decoder.h"

#include <simdjson.h>

#include <array>

namespace meshward::admission {
namespace {

using nlohmann::json;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;
using Selection = cluster::FieldSet::Selection;

// A parser that grew past this for one large body is freed rather than kept for the next.
constexpr std::size_t kKeptParserCapacity = 1u << 20;
constexpr std::size_t kInitialParserCapacity = 64u << 10;

// As nlohmann's parser types values: a non-negative integer is unsigned.
json toJson(element value, const Selection& selection) {
  switch (value.type()) {
    case element_type::OBJECT: {
      json built = json::object();
      for (const auto [key, member] : object(value)) {
        const Selection kept = selection.member(key);
        if (!kept.keepsNothing()) {
          built[std::string(key)] = toJson(member, kept);
        }
      }
      return built;
    }
    case element_type::ARRAY: {
      json built = json::array();
      const Selection elements = selection.element();
      if (elements.keepsNothing()) {
        return built;
      }
      for (const element item : simdjson::dom::array(value)) {
        built.push_back(toJson(item, elements));
      }
      return built;
    }
    case element_type::STRING:
      return std::string(std::string_view(value));
    case element_type::INT64: {
      const std::int64_t number = int64_t(value);
      return number >= 0 ? json(static_cast<std::uint64_t>(number)) : json(number);
    }
    case element_type::UINT64:
      return uint64_t(value);
    case element_type::DOUBLE:
      return double(value);
    case element_type::BOOL:
      return bool(value);
    case element_type::NULL_VALUE:
      return nullptr;
  }
  return nullptr;
}

// For each name, the last member of `parent` so named (nlohmann keeps the last of duplicate keys).
template <std::size_t N>
std::array<std::optional<element>, N> lastMembers(element parent, const std::array<std::string_view, N>& names) {
  std::array<std::optional<element>, N> found;
  for (const auto [key, value] : object(parent)) {
    for (std::size_t index = 0; index < N; ++index) {
      if (key == names[index]) {
        found[index] = value;
        break;
      }
    }
  }
  return found;
}

bool isAbsent(const std::optional<element>& value) { return !value || value->is_null(); }

// An optional string as decodeAdmissionReview reads it (absent or null: left empty); false for
// another type.
bool readString(const std::optional<element>& value, std::string& out) {
  if (isAbsent(value)) {
    return true;
  }
  if (value->type() != element_type::STRING) {
    return false;
  }
  out = std::string_view(*value);
  return true;
}

bool readObject(const std::optional<element>& value, const Selection& kept, json& out) {
  if (isAbsent(value)) {
    return true;
  }
  if (value->type() != element_type::OBJECT) {
    return false;
  }
  out = toJson(*value, kept);
  return true;
}

bool readUserInfo(const std::optional<element>& value, policies::RequestFacts& facts) {
  if (isAbsent(value)) {
    return true;
  }
  if (value->type() != element_type::OBJECT) {
    return false;
  }
  const auto [username, groups] = lastMembers<2>(*value, {"username", "groups"});
  if (!readString(username, facts.user)) {
    return false;
  }
  if (isAbsent(groups)) {
    return true;
  }
  if (groups->type() != element_type::ARRAY) {
    return false;
  }
  for (const element group : simdjson::dom::array(*groups)) {
    if (group.type() != element_type::STRING) {
      return false;
    }
    facts.groups.emplace_back(std::string_view(group));
  }
  return true;
}

// The request decoded straight from the parsed document, deciding every field as
// decodeAdmissionReview does; nullopt for anything it would refuse (it is asked then, for its
// message), so only the kept parts of object / oldObject become trees.
std::optional<AdmissionRequest> decodeDocument(element root, const ReviewFields* fields, policies::RuleType webhook) {
  if (root.type() != element_type::OBJECT) {
    return std::nullopt;
  }
  AdmissionRequest request;
  std::string review_kind;
  const auto [api_version, kind, body] = lastMembers<3>(root, {"apiVersion", "kind", "request"});
  if (!readString(api_version, request.api_version) || !readString(kind, review_kind) ||
      review_kind != "AdmissionReview" || !isAdmissionApiVersion(request.api_version) || !body ||
      body->type() != element_type::OBJECT) {
    return std::nullopt;
  }
  const auto [uid, request_kind, resource, sub_resource, namespace_name, name, operation, user_info, dry_run, object,
              old_object] = lastMembers<11>(*body, {"uid", "kind", "resource", "subResource", "namespace", "name",
                                                    "operation", "userInfo", "dryRun", "object", "oldObject"});
  policies::RequestFacts& facts = request.facts;
  if (!readString(uid, request.uid) || request.uid.empty() || !request_kind ||
      request_kind->type() != element_type::OBJECT) {
    return std::nullopt;
  }
  const auto [group, version, kind_name] = lastMembers<3>(*request_kind, {"group", "version", "kind"});
  if (!readString(group, facts.group) || !readString(version, facts.version) || !readString(kind_name, facts.kind) ||
      facts.kind.empty()) {
    return std::nullopt;
  }
  if (!isAbsent(resource)) {
    if (resource->type() != element_type::OBJECT ||
        !readString(lastMembers<1>(*resource, {"resource"})[0], request.resource)) {
      return std::nullopt;
    }
  }
  if (!readString(sub_resource, request.sub_resource) || !readString(namespace_name, facts.namespace_name) ||
      !readString(name, facts.name) || !readString(operation, facts.operation) ||
      !isAdmissionOperation(facts.operation) || !readUserInfo(user_info, facts)) {
    return std::nullopt;
  }
  if (!isAbsent(dry_run)) {
    if (dry_run->type() != element_type::BOOL) {
      return std::nullopt;
    }
    facts.dry_run = bool(*dry_run);
  }
  const Selection kept = fields != nullptr ? fields->forKind(webhook, facts.group, facts.kind).root()
                                           : cluster::FieldSet::everything();
  if (!readObject(object, kept, request.object) || !readObject(old_object, kept, request.old_object)) {
    return std::nullopt;
  }
  if ((facts.operation == "CREATE" || facts.operation == "UPDATE") && request.object.is_null()) {
    return std::nullopt;
  }
  return request;
}

}  // namespace

// A parser from the idle ones (or a new one) for one request, given back when it ends.
class ReviewDecoder::Lease {
 public:
  explicit Lease(const ReviewDecoder& owner) : owner_(owner) {
    {
      std::lock_guard lock(owner_.mutex_);
      if (!owner_.idle_.empty()) {
        parser_ = std::move(owner_.idle_.back());
        owner_.idle_.pop_back();
        return;
      }
    }
    parser_ = std::make_unique<Parser>();
    if (parser_->allocate(kInitialParserCapacity, kMaxJsonDepth) != simdjson::SUCCESS) {
      parser_.reset();
    }
  }
  ~Lease() {
    if (parser_ != nullptr && parser_->capacity() <= kKeptParserCapacity) {
      std::lock_guard lock(owner_.mutex_);
      owner_.idle_.push_back(std::move(parser_));
    }
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  Parser* get() const { return parser_.get(); }

 private:
  const ReviewDecoder& owner_;
  std::unique_ptr<Parser> parser_;
};

ReviewDecoder::ReviewDecoder(std::optional<ReviewFields> fields) : fields_(std::move(fields)) {}

ReviewDecoder::~ReviewDecoder() = default;

Result<AdmissionRequest> ReviewDecoder::decode(std::string_view body, policies::RuleType webhook) const {
  const Lease parser(*this);
  element root;
  if (body.empty() || parser.get() == nullptr ||
      parser.get()->parse(body.data(), body.size(), true).get(root) != simdjson::SUCCESS) {
    return decodeAdmissionReview(body);
  }
  std::optional<AdmissionRequest> request = decodeDocument(root, fields_ ? &*fields_ : nullptr, webhook);
  if (!request) {
    return decodeAdmissionReview(body);
  }
  return std::move(*request);
}

}  // namespace meshward::admission
