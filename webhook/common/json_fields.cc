#include "webhook/common/json_fields.h"

namespace meshward {

const nlohmann::json* member(const nlohmann::json& parent, std::string_view key) {
  if (!parent.is_object()) {
    return nullptr;
  }
  const auto found = parent.find(key);
  return found == parent.end() ? nullptr : &*found;
}

const nlohmann::json* member(const nlohmann::json* parent, std::string_view key) {
  return parent == nullptr ? nullptr : member(*parent, key);
}

const nlohmann::json* objectMember(const nlohmann::json* parent, std::string_view key) {
  const nlohmann::json* value = member(parent, key);
  return value != nullptr && value->is_object() ? value : nullptr;
}

const nlohmann::json* arrayMember(const nlohmann::json* parent, std::string_view key) {
  const nlohmann::json* value = member(parent, key);
  return value != nullptr && value->is_array() ? value : nullptr;
}

std::optional<std::string_view> stringMember(const nlohmann::json* parent, std::string_view key) {
  const nlohmann::json* value = member(parent, key);
  if (value == nullptr || !value->is_string()) {
    return std::nullopt;
  }
  return std::string_view(value->get_ref<const std::string&>());
}

std::string describeJsonType(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "a list";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "a number";
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded:
      break;
  }
  return "an unsupported value";
}

std::string escapePointerToken(std::string_view token) {
  std::string escaped;
  escaped.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace meshward
