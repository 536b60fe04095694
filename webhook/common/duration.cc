#include "webhook/common/duration.h"

#include <array>
#include <cctype>
#include <string>

namespace meshward {
namespace {

struct Unit {
  std::string_view text;
  double millis;
};

// The longest matching unit wins, so "ms" is not read as "m". Go accepts both micro signs:
// U+00B5 and the Greek U+03BC.
constexpr std::array<Unit, 8> kUnits = {{
    {"ns", 1e-6}, {"us", 1e-3}, {"ms", 1.0}, {"s", 1e3}, {"m", 60e3}, {"h", 3600e3}, {"\u00b5s", 1e-3},
    {"\u03bcs", 1e-3},
}};

}  // namespace

std::optional<double> parseDurationMillis(std::string_view text) {
  if (!text.empty() && text[0] == '+') {
    text.remove_prefix(1);
  }
  if (text.empty() || text.size() > 64) {
    return std::nullopt;
  }
  if (text == "0") {
    return 0.0;
  }
  double total = 0;
  while (!text.empty()) {
    size_t number_end = 0;
    while (number_end < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[number_end])) || text[number_end] == '.')) {
      ++number_end;
    }
    if (number_end == 0 || text.substr(0, number_end) == ".") {
      return std::nullopt;
    }
    const std::string number(text.substr(0, number_end));
    if (number.find('.') != number.rfind('.')) {
      return std::nullopt;
    }
    text.remove_prefix(number_end);
    const Unit* matched = nullptr;
    for (const Unit& unit : kUnits) {
      if (text.substr(0, unit.text.size()) == unit.text &&
          (matched == nullptr || unit.text.size() > matched->text.size())) {
        matched = &unit;
      }
    }
    if (matched == nullptr) {
      return std::nullopt;
    }
    text.remove_prefix(matched->text.size());
    total += std::stod(number) * matched->millis;
  }
  return total;
}

}  // namespace meshward
