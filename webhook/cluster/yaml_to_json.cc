#include "webhook/cluster/yaml_to_json.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace meshward::cluster {
namespace {

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";
constexpr std::string_view kPlainTag = "?";

bool isOneOf(std::string_view text, std::initializer_list<std::string_view> candidates) {
  for (std::string_view candidate : candidates) {
    if (text == candidate) {
      return true;
    }
  }
  return false;
}

bool isNullText(std::string_view text) { return isOneOf(text, {"", "~", "null", "Null", "NULL"}); }

std::optional<bool> parseBool(std::string_view text) {
  if (isOneOf(text, {"true", "True", "TRUE"})) {
    return true;
  }
  if (isOneOf(text, {"false", "False", "FALSE"})) {
    return false;
  }
  return std::nullopt;
}

bool allDigits(std::string_view text, int base) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    const bool digit = base == 8    ? (c >= '0' && c <= '7')
                       : base == 10 ? (c >= '0' && c <= '9')
                                    : std::isxdigit(static_cast<unsigned char>(c)) != 0;
    if (!digit) {
      return false;
    }
  }
  return true;
}

// A non-negative integer in `base`, as int64 when it fits, else uint64, else a double.
nlohmann::json unsignedNumber(std::string_view digits, int base, bool negative) {
  std::uint64_t magnitude = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (error == std::errc() && end == digits.data() + digits.size()) {
    constexpr std::uint64_t kInt64Max = static_cast<std::uint64_t>(INT64_MAX);
    if (!negative && magnitude <= kInt64Max) {
      return static_cast<std::int64_t>(magnitude);
    }
    if (negative && magnitude <= kInt64Max + 1) {
      return magnitude == kInt64Max + 1 ? INT64_MIN : -static_cast<std::int64_t>(magnitude);
    }
    if (!negative) {
      return magnitude;
    }
  }
  double value = 0;
  for (char c : digits) {
    const int digit = std::isdigit(static_cast<unsigned char>(c)) != 0
                          ? c - '0'
                          : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    value = value * base + digit;
  }
  return negative ? -value : value;
}

// [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
std::optional<nlohmann::json> parseInteger(std::string_view text) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'x')) {
    const int base = text[1] == 'o' ? 8 : 16;
    const std::string_view digits = text.substr(2);
    if (!allDigits(digits, base)) {
      return std::nullopt;
    }
    return unsignedNumber(digits, base, false);
  }
  const bool negative = !text.empty() && text[0] == '-';
  const std::string_view digits = !text.empty() && (text[0] == '-' || text[0] == '+') ? text.substr(1) : text;
  if (!allDigits(digits, 10)) {
    return std::nullopt;
  }
  return unsignedNumber(digits, 10, negative);
}

bool isSpecialFloat(std::string_view text) {
  std::string_view unsigned_text = text;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    unsigned_text = text.substr(1);
  }
  return isOneOf(unsigned_text, {".inf", ".Inf", ".INF"}) || isOneOf(text, {".nan", ".NaN", ".NAN"});
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool matchesFloatSyntax(std::string_view text) {
  size_t i = 0;
  auto digitsFrom = [&](size_t from) {
    size_t end = from;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) != 0) {
      ++end;
    }
    return end;
  };
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    ++i;
  }
  const size_t integer_end = digitsFrom(i);
  const bool has_integer = integer_end > i;
  i = integer_end;
  if (i < text.size() && text[i] == '.') {
    const size_t fraction_end = digitsFrom(i + 1);
    if (!has_integer && fraction_end == i + 1) {
      return false;
    }
    i = fraction_end;
  } else if (!has_integer) {
    return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
      ++i;
    }
    const size_t exponent_end = digitsFrom(i);
    if (exponent_end == i) {
      return false;
    }
    i = exponent_end;
  }
  return i == text.size();
}

// A finite double; nullopt when the syntax does not match or the value is not representable in JSON.
std::optional<double> parseFiniteFloat(std::string_view text) {
  if (!matchesFloatSyntax(text)) {
    return std::nullopt;
  }
  const std::string_view number = text[0] == '+' ? text.substr(1) : text;
  double value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (error != std::errc() || end != number.data() + number.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

nlohmann::json resolvePlainScalar(const std::string& text) {
  if (isNullText(text)) {
    return nullptr;
  }
  if (const auto boolean = parseBool(text)) {
    return *boolean;
  }
  if (auto integer = parseInteger(text)) {
    return std::move(*integer);
  }
  if (const auto floating = parseFiniteFloat(text)) {
    return *floating;
  }
  return text;
}

std::string position(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) {
    return "";
  }
  return std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": ";
}

class Converter {
 public:
  explicit Converter(const YamlConversionLimits& limits) : limits_(limits) {}

  Result<nlohmann::json> convert(const YAML::Node& node, int depth) {
    if (++values_ > limits_.max_values) {
      return Error{position(node) + "document has more than " + std::to_string(limits_.max_values) +
                   " values after expanding aliases"};
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return nlohmann::json(nullptr);
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence:
        return sequence(node, depth + 1);
      case YAML::NodeType::Map:
        return mapping(node, depth + 1);
    }
    return Error{position(node) + "unknown YAML node type"};
  }

 private:
  Result<nlohmann::json> scalar(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    if (tag == kPlainTag) {
      return resolvePlainScalar(text);
    }
    if (tag.rfind(kTagPrefix, 0) != 0) {
      return nlohmann::json(text);
    }
    const std::string_view type = std::string_view(tag).substr(kTagPrefix.size());
    if (type == "null") {
      return nlohmann::json(nullptr);
    }
    if (type == "bool") {
      if (const auto boolean = parseBool(text)) {
        return nlohmann::json(*boolean);
      }
      return Error{position(node) + "\"" + text + "\" is tagged !!bool but is not true or false"};
    }
    if (type == "int") {
      if (auto integer = parseInteger(text)) {
        return std::move(*integer);
      }
      return Error{position(node) + "\"" + text + "\" is tagged !!int but is not an integer"};
    }
    if (type == "float") {
      if (isSpecialFloat(text)) {
        return nlohmann::json(text);
      }
      if (const auto floating = parseFiniteFloat(text)) {
        return nlohmann::json(*floating);
      }
      return Error{position(node) + "\"" + text + "\" is tagged !!float but is not a finite number"};
    }
    return nlohmann::json(text);
  }

  Result<nlohmann::json> sequence(const YAML::Node& node, int depth) {
    if (depth > limits_.max_depth) {
      return tooDeep(node);
    }
    nlohmann::json array = nlohmann::json::array();
    for (const YAML::Node& item : node) {
      Result<nlohmann::json> converted = convert(item, depth);
      if (!converted) {
        return converted;
      }
      array.push_back(std::move(*converted));
    }
    return array;
  }

  Result<nlohmann::json> mapping(const YAML::Node& node, int depth) {
    if (depth > limits_.max_depth) {
      return tooDeep(node);
    }
    nlohmann::json object = nlohmann::json::object();
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      std::string key_text;
      if (key.IsScalar()) {
        key_text = key.Scalar();
      } else if (key.IsNull()) {
        key_text = "null";
      } else {
        return Error{position(key) + "mapping key is not a scalar"};
      }
      if (object.contains(key_text)) {
        return Error{position(key) + "duplicate mapping key \"" + key_text + "\""};
      }
      Result<nlohmann::json> converted = convert(entry.second, depth);
      if (!converted) {
        return converted;
      }
      object.emplace(std::move(key_text), std::move(*converted));
    }
    return object;
  }

  Result<nlohmann::json> tooDeep(const YAML::Node& node) const {
    return Error{position(node) + "nested more than " + std::to_string(limits_.max_depth) + " levels deep"};
  }

  const YamlConversionLimits& limits_;
  std::size_t values_ = 0;
};

}  // namespace

Result<nlohmann::json> yamlToJson(const YAML::Node& node, const YamlConversionLimits& limits) {
  return Converter(limits).convert(node, 0);
}

}  // namespace meshward::cluster
