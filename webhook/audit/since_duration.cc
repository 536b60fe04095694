#include "webhook/audit/since_duration.h"

#include <cstddef>
#include <cstdint>
#include <string>

#include "webhook/common/duration.h"

namespace meshward::audit {
namespace {

bool isNumberChar(char c) { return (c >= '0' && c <= '9') || c == '.'; }

// A leading "<number>d", in milliseconds; 0 with nothing consumed when there is none.
std::optional<double> readDays(std::string_view& text) {
  std::size_t number_end = 0;
  while (number_end < text.size() && isNumberChar(text[number_end])) {
    ++number_end;
  }
  if (number_end == 0 || number_end >= text.size() || text[number_end] != 'd') {
    return 0.0;
  }
  // The Go parser validates the number when it reads it as hours.
  const std::string as_hours = std::string(text.substr(0, number_end)) + "h";
  const auto hours_millis = meshward::parseDurationMillis(as_hours);
  if (!hours_millis) {
    return std::nullopt;
  }
  text.remove_prefix(number_end + 1);
  return *hours_millis * 24.0;
}

}  // namespace

std::optional<std::chrono::milliseconds> parseSinceDuration(std::string_view text) {
  if (text.empty() || text.size() > 64) {
    return std::nullopt;
  }
  const auto day_millis = readDays(text);
  if (!day_millis) {
    return std::nullopt;
  }
  double total = *day_millis;
  if (!text.empty()) {
    const auto rest = meshward::parseDurationMillis(text);
    if (!rest) {
      return std::nullopt;
    }
    total += *rest;
  }
  const double longest = std::chrono::duration<double, std::milli>(kLongestSince).count();
  if (!(total >= 0.0) || total > longest) {
    return std::nullopt;
  }
  return std::chrono::milliseconds{static_cast<std::int64_t>(total)};
}

}  // namespace meshward::audit
