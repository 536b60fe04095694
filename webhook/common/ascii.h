#pragma once
// ASCII case folding for names Kubernetes and Istio compare without case (hosts, kinds, header names).

#include <string>
#include <string_view>

namespace meshward {

// `text` with A-Z folded to a-z; every other byte (UTF-8 included) as it is.
inline std::string asciiLowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return lower;
}

}  // namespace meshward
