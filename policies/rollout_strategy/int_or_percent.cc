#include "policies/rollout_strategy/int_or_percent.h"

#include <charconv>
#include <cstdint>

namespace meshward::policies {
namespace {

std::optional<std::int64_t> parseCount(std::string_view digits) {
  if (digits.empty() || digits.size() > 9 || digits[0] < '0' || digits[0] > '9') {
    return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<nlohmann::json> parseIntOrPercent(std::string_view text) {
  if (!text.empty() && text.back() == '%') {
    if (!parseCount(text.substr(0, text.size() - 1))) {
      return std::nullopt;
    }
    return nlohmann::json(std::string(text));
  }
  const std::optional<std::int64_t> count = parseCount(text);
  if (!count) {
    return std::nullopt;
  }
  return nlohmann::json(*count);
}

bool isZeroIntOrPercent(const nlohmann::json& value) {
  if (value.is_number_integer()) {
    return value.get<std::int64_t>() == 0;
  }
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.empty() || text.back() != '%') {
      return false;
    }
    const std::optional<std::int64_t> percent = parseCount(std::string_view(text).substr(0, text.size() - 1));
    return percent == 0;
  }
  return false;
}

}  // namespace meshward::policies
