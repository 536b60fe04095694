#include "webhook/cluster/field_set.h"

#include <algorithm>

#include "webhook/common/json_fields.h"

namespace meshward::cluster {
namespace {

constexpr std::string_view kEveryMember = "*";

Result<std::string> unescapeToken(std::string_view token, std::string_view pointer) {
  std::string text;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] != '~') {
      text += token[i];
      continue;
    }
    if (i + 1 == token.size() || (token[i + 1] != '0' && token[i + 1] != '1')) {
      return Error{"field " + std::string(pointer) + ": '~' must be followed by 0 or 1 (RFC 6901)"};
    }
    text += token[i + 1] == '0' ? '~' : '/';
    ++i;
  }
  return text;
}

}  // namespace

Result<bool> FieldSet::add(std::string_view pointer) {
  if (pointer.empty() || pointer.front() != '/') {
    return Error{"field '" + std::string(pointer) + "' is not a JSON pointer (it must start with '/')"};
  }
  Node* node = &root_;
  std::size_t start = 1;
  while (true) {
    if (node->whole) {
      return true;
    }
    const std::size_t end = std::min(pointer.find('/', start), pointer.size());
    Result<std::string> token = unescapeToken(pointer.substr(start, end - start), pointer);
    if (!token) {
      return Error{token.error()};
    }
    node = &node->children[*token];
    if (end == pointer.size()) {
      break;
    }
    start = end + 1;
  }
  node->whole = true;
  node->children.clear();
  return true;
}

void FieldSet::mergeInto(Node& into, const Node& from) {
  if (into.whole) {
    return;
  }
  if (from.whole) {
    into.whole = true;
    into.children.clear();
    return;
  }
  for (const auto& [key, child] : from.children) {
    mergeInto(into.children[key], child);
  }
}

void FieldSet::merge(const FieldSet& other) { mergeInto(root_, other.root_); }

void FieldSet::Selection::add(const Node& node) {
  if (node.whole || count_ == kMaxNodes) {
    all_ = true;
    return;
  }
  nodes_[count_++] = &node;
}

FieldSet::Selection FieldSet::Selection::member(std::string_view key) const {
  if (all_) {
    return *this;
  }
  Selection next;
  for (std::size_t i = 0; i < count_ && !next.all_; ++i) {
    const auto& children = nodes_[i]->children;
    if (auto named = children.find(key); named != children.end()) {
      next.add(named->second);
    }
    if (key != kEveryMember) {
      if (auto every = children.find(kEveryMember); every != children.end()) {
        next.add(every->second);
      }
    }
  }
  return next;
}

FieldSet::Selection FieldSet::Selection::element() const { return member(kEveryMember); }

FieldSet::Selection FieldSet::root() const {
  Selection selection;
  selection.add(root_);
  return selection;
}

FieldSet::Selection FieldSet::everything() {
  Selection selection;
  selection.all_ = true;
  return selection;
}

nlohmann::json FieldSet::trimValue(nlohmann::json&& value, const Selection& selection) {
  if (selection.keepsAll()) {
    return std::move(value);
  }
  if (value.is_array()) {
    const Selection elements = selection.element();
    nlohmann::json kept = nlohmann::json::array();
    if (elements.keepsNothing()) {
      return kept;
    }
    for (nlohmann::json& element : value) {
      kept.push_back(trimValue(std::move(element), elements));
    }
    return kept;
  }
  if (!value.is_object()) {
    return std::move(value);
  }
  nlohmann::json kept = nlohmann::json::object();
  for (auto& [key, member_value] : value.items()) {
    const Selection member = selection.member(key);
    if (!member.keepsNothing()) {
      kept[key] = trimValue(std::move(member_value), member);
    }
  }
  return kept;
}

nlohmann::json FieldSet::trim(nlohmann::json&& object) const { return trimValue(std::move(object), root()); }

void FieldSet::collect(const Node& node, const std::string& prefix, std::vector<std::string>& into) {
  if (node.whole) {
    into.push_back(prefix.empty() ? "/" : prefix);
    return;
  }
  for (const auto& [key, child] : node.children) {
    collect(child, prefix + "/" + (key == kEveryMember ? key : escapePointerToken(key)), into);
  }
}

std::vector<std::string> FieldSet::pointers() const {
  std::vector<std::string> all;
  collect(root_, "", all);
  return all;
}

}  // namespace meshward::cluster
