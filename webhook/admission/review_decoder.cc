#include "webhook/admission/review_decoder.h"

#include <simdjson.h>

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

// The value of the last member named `key` (nlohmann keeps the last of duplicate keys), if any.
std::optional<element> lastMember(element parent, std::string_view key) {
  std::optional<element> found;
  if (parent.type() == element_type::OBJECT) {
    for (const auto [name, member] : object(parent)) {
      if (name == key) {
        found = member;
      }
    }
  }
  return found;
}

std::string_view stringMember(element parent, std::string_view key) {
  const std::optional<element> value = lastMember(parent, key);
  return value && value->type() == element_type::STRING ? std::string_view(*value) : std::string_view();
}

json requestJson(element request, const ReviewFields* fields, policies::RuleType webhook) {
  Selection reviewed = cluster::FieldSet::everything();
  if (fields != nullptr) {
    if (const std::optional<element> kind = lastMember(request, "kind"); kind) {
      reviewed = fields->forKind(webhook, stringMember(*kind, "group"), stringMember(*kind, "kind")).root();
    }
  }
  const Selection everything = cluster::FieldSet::everything();
  json built = json::object();
  for (const auto [key, member] : object(request)) {
    const bool is_reviewed_object = key == "object" || key == "oldObject";
    built[std::string(key)] = toJson(member, is_reviewed_object ? reviewed : everything);
  }
  return built;
}

json documentJson(element root, const ReviewFields* fields, policies::RuleType webhook) {
  if (root.type() != element_type::OBJECT) {
    return toJson(root, cluster::FieldSet::everything());
  }
  json built = json::object();
  for (const auto [key, member] : object(root)) {
    built[std::string(key)] = key == "request" && member.type() == element_type::OBJECT
                                  ? requestJson(member, fields, webhook)
                                  : toJson(member, cluster::FieldSet::everything());
  }
  return built;
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
  return decodeAdmissionReviewDocument(documentJson(root, fields_ ? &*fields_ : nullptr, webhook));
}

}  // namespace meshward::admission
