#include "webhook/common/rfc3339.h"

#include <cstddef>
#include <cstdio>

namespace meshward {
namespace {

// system_clock counts nanoseconds in 64 bits (about 1678-2262); this range keeps every
// difference between two accepted instants representable too.
constexpr int kEarliestYear = 1970;
constexpr int kLatestYear = 2200;

// Reads exactly `count` decimal digits at `position`, advancing it.
std::optional<int> readDigits(std::string_view text, std::size_t& position, std::size_t count) {
  if (position + count > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char digit = text[position + i];
    if (digit < '0' || digit > '9') {
      return std::nullopt;
    }
    value = value * 10 + (digit - '0');
  }
  position += count;
  return value;
}

bool expect(std::string_view text, std::size_t& position, std::string_view accepted) {
  if (position >= text.size() || accepted.find(text[position]) == std::string_view::npos) {
    return false;
  }
  ++position;
  return true;
}

// ".123456789": nanoseconds; digits past the ninth are read and dropped.
std::optional<std::chrono::nanoseconds> readFraction(std::string_view text, std::size_t& position) {
  if (position >= text.size() || text[position] != '.') {
    return std::chrono::nanoseconds{0};
  }
  ++position;
  const std::size_t first_digit = position;
  std::int64_t nanos = 0;
  std::int64_t scale = 100'000'000;
  while (position < text.size() && text[position] >= '0' && text[position] <= '9') {
    nanos += (text[position] - '0') * scale;
    scale /= 10;
    ++position;
  }
  if (position == first_digit) {
    return std::nullopt;
  }
  return std::chrono::nanoseconds{nanos};
}

// "Z" or "+HH:MM" / "-HH:MM": the offset east of UTC.
std::optional<std::chrono::minutes> readOffset(std::string_view text, std::size_t& position) {
  if (position < text.size() && (text[position] == 'Z' || text[position] == 'z')) {
    ++position;
    return std::chrono::minutes{0};
  }
  if (position >= text.size() || (text[position] != '+' && text[position] != '-')) {
    return std::nullopt;
  }
  const int sign = text[position] == '-' ? -1 : 1;
  ++position;
  const auto hours = readDigits(text, position, 2);
  if (!hours || !expect(text, position, ":")) {
    return std::nullopt;
  }
  const auto minutes = readDigits(text, position, 2);
  if (!minutes || *hours > 23 || *minutes > 59) {
    return std::nullopt;
  }
  return std::chrono::minutes{sign * (*hours * 60 + *minutes)};
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text) {
  using namespace std::chrono;
  std::size_t position = 0;
  const auto year = readDigits(text, position, 4);
  if (!year || !expect(text, position, "-")) {
    return std::nullopt;
  }
  const auto month = readDigits(text, position, 2);
  if (!month || !expect(text, position, "-")) {
    return std::nullopt;
  }
  const auto day = readDigits(text, position, 2);
  if (!day || !expect(text, position, "Tt ")) {
    return std::nullopt;
  }
  const auto hour = readDigits(text, position, 2);
  if (!hour || !expect(text, position, ":")) {
    return std::nullopt;
  }
  const auto minute = readDigits(text, position, 2);
  if (!minute || !expect(text, position, ":")) {
    return std::nullopt;
  }
  const auto second = readDigits(text, position, 2);
  if (!second) {
    return std::nullopt;
  }
  const auto fraction = readFraction(text, position);
  if (!fraction) {
    return std::nullopt;
  }
  const auto offset = readOffset(text, position);
  if (!offset || position != text.size()) {
    return std::nullopt;
  }
  const year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                            std::chrono::day{static_cast<unsigned>(*day)}};
  if (*year < kEarliestYear || *year > kLatestYear || !date.ok() || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  const auto local = sys_days{date} + hours{*hour} + minutes{*minute} + seconds{*second} + *fraction;
  return time_point_cast<system_clock::duration>(local - *offset);
}

std::string formatRfc3339Millis(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto millis = floor<milliseconds>(time);
  const auto day = floor<days>(millis);
  const year_month_day date{day};
  const hh_mm_ss clock{millis - day};
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return text;
}

}  // namespace meshward
