#include "webhook/common/quantity.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

namespace meshward {
namespace {

using Wide = __int128;
constexpr Wide kMaxBytes = std::numeric_limits<std::int64_t>::max();

struct Suffix {
  std::string_view text;
  int power_of_two;
  int power_of_ten;
};

constexpr std::array<Suffix, 16> kSuffixes = {{
    {"Ki", 10, 0}, {"Mi", 20, 0}, {"Gi", 30, 0}, {"Ti", 40, 0}, {"Pi", 50, 0}, {"Ei", 60, 0},
    {"n", 0, -9},  {"u", 0, -6},  {"m", 0, -3},  {"k", 0, 3},   {"M", 0, 6},   {"G", 0, 9},
    {"T", 0, 12},  {"P", 0, 15},  {"E", 0, 18},  {"", 0, 0},
}};

bool allDigits(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// Parses the suffix part: a named suffix, or a decimal exponent e<int>/E<int>. Named suffixes
// come first so that "Ei" (exbibyte) is not read as an exponent.
bool parseSuffix(std::string_view text, int& power_of_two, int& power_of_ten) {
  for (const Suffix& suffix : kSuffixes) {
    if (suffix.text == text) {
      power_of_two = suffix.power_of_two;
      power_of_ten = suffix.power_of_ten;
      return true;
    }
  }
  if (text.size() < 2 || (text[0] != 'e' && text[0] != 'E')) {
    return false;
  }
  std::string_view exponent = text.substr(1);
  bool negative = false;
  if (exponent[0] == '+' || exponent[0] == '-') {
    negative = exponent[0] == '-';
    exponent.remove_prefix(1);
  }
  if (!allDigits(exponent) || exponent.size() > 3) {
    return false;
  }
  int value = 0;
  for (char c : exponent) {
    value = value * 10 + (c - '0');
  }
  power_of_two = 0;
  power_of_ten = negative ? -value : value;
  return true;
}

std::optional<std::int64_t> fitted(Wide bytes) {
  if (bytes > kMaxBytes) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(bytes);
}

// mantissa * 2^power_of_two * 10^power_of_ten, rounded up to a whole byte, exactly. The
// mantissa has at most 30 digits (< 2^100), so no intermediate value overflows 128 bits.
std::optional<std::int64_t> scaleRoundingUp(Wide mantissa, int power_of_two, int power_of_ten) {
  if (mantissa == 0) {
    return 0;
  }
  while (power_of_ten < 0 && mantissa % 10 == 0) {
    mantissa /= 10;
    ++power_of_ten;
  }
  if (power_of_ten >= 0) {
    Wide bytes = mantissa;
    for (int i = 0; i < power_of_two + power_of_ten && bytes <= kMaxBytes; ++i) {
      bytes *= i < power_of_two ? 2 : 10;
    }
    return fitted(bytes);
  }
  // mantissa * 2^p / 10^d = mantissa * 2^doublings / (5^d * 2^halvings), one of the two powers of two cancelled.
  const int decimals = -power_of_ten;
  const int doublings = std::max(0, power_of_two - decimals);
  const int halvings = std::max(0, decimals - power_of_two);
  if (doublings == 0) {
    Wide denominator = 1;
    for (int i = 0; i < decimals + halvings; ++i) {
      denominator *= i < decimals ? 5 : 2;
      if (denominator > mantissa) {
        return 1;  // a positive value below one byte
      }
    }
    return fitted((mantissa + denominator - 1) / denominator);
  }
  if (decimals > 54) {
    return 1;  // then doublings <= 5, and mantissa * 2^5 < 2^105 < 5^55
  }
  Wide denominator = 1;
  for (int i = 0; i < decimals; ++i) {
    denominator *= 5;
  }
  Wide quotient = mantissa / denominator;
  Wide remainder = mantissa % denominator;
  for (int i = 0; i < doublings && quotient <= kMaxBytes; ++i) {
    quotient *= 2;
    remainder *= 2;
    if (remainder >= denominator) {
      ++quotient;
      remainder -= denominator;
    }
  }
  return fitted(remainder > 0 ? quotient + 1 : quotient);
}

// bytes / unit written out exactly: "1.5", "256".
std::string exactQuotient(std::int64_t bytes, std::int64_t unit) {
  std::string text = std::to_string(bytes / unit);
  std::uint64_t remainder = static_cast<std::uint64_t>(bytes % unit);
  if (remainder != 0) {
    text += '.';
  }
  while (remainder != 0) {
    remainder *= 10;
    text += static_cast<char>('0' + remainder / static_cast<std::uint64_t>(unit));
    remainder %= static_cast<std::uint64_t>(unit);
  }
  return text;
}

}  // namespace

std::optional<std::int64_t> parseQuantityBytes(std::string_view text) {
  if (text.empty() || text.size() > 64) {
    return std::nullopt;
  }
  if (text[0] == '+') {
    text.remove_prefix(1);
  }
  size_t number_end = 0;
  while (number_end < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[number_end])) || text[number_end] == '.')) {
    ++number_end;
  }
  std::string_view number = text.substr(0, number_end);
  const size_t dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : number.substr(dot + 1);
  if (fraction.find('.') != std::string_view::npos || (whole.empty() && fraction.empty()) ||
      (dot != std::string_view::npos && fraction.empty() && whole.empty())) {
    return std::nullopt;
  }
  int power_of_two = 0;
  int power_of_ten = 0;
  if (!parseSuffix(text.substr(number_end), power_of_two, power_of_ten)) {
    return std::nullopt;
  }

  // mantissa = whole.fraction as an integer, scaled by 10^-len(fraction).
  Wide mantissa = 0;
  int significant_digits = 0;
  for (char c : std::string(whole) + std::string(fraction)) {
    if (mantissa != 0 || c != '0') {
      if (++significant_digits > 30) {
        return std::nullopt;
      }
    }
    mantissa = mantissa * 10 + (c - '0');
  }
  power_of_ten -= static_cast<int>(fraction.size());
  return scaleRoundingUp(mantissa, power_of_two, power_of_ten);
}

std::string formatBytes(std::int64_t bytes) {
  static constexpr std::array<std::string_view, 6> kBinary = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  if (bytes <= 0) {
    return std::to_string(bytes);
  }
  std::string shortest = std::to_string(bytes);
  std::int64_t unit = 1;
  for (std::string_view suffix : kBinary) {
    if (unit > bytes / 1024) {
      break;
    }
    unit *= 1024;
    std::string candidate = exactQuotient(bytes, unit) + std::string(suffix);
    if (candidate.size() < shortest.size()) {
      shortest = std::move(candidate);
    }
  }
  return shortest;
}

}  // namespace meshward
