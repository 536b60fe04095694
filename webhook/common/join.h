#pragma once
// Joining a list into one string with a separator: the one helper behind every message, listing
// and annotation that names several things.

#include <string>
#include <string_view>

namespace meshward {

// Each element of `parts` becomes text through `show` (returning anything a std::string can
// append: std::string, std::string_view, const char*).
template <typename Range, typename Show>
std::string joinStrings(const Range& parts, std::string_view separator, Show show) {
  std::string text;
  bool first = true;
  for (const auto& part : parts) {
    if (!first) {
      text += separator;
    }
    first = false;
    text += show(part);
  }
  return text;
}

template <typename Range>
std::string joinStrings(const Range& parts, std::string_view separator) {
  return joinStrings(parts, separator, [](const auto& part) -> const auto& { return part; });
}

}  // namespace meshward
