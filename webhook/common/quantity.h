#pragma once
// Kubernetes resource quantities ("128974848", "129e6", "129M", "123Mi", "0.5Gi", "1e3")
// parsed exactly, and printed back for messages.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meshward {

// Bytes, with a fractional byte rounded up as Kubernetes does; nullopt when the text is not a
// valid quantity, is negative, or exceeds 2^63-1.
std::optional<std::int64_t> parseQuantityBytes(std::string_view text);

// "256Mi", "1.5Gi", "1000000" - the shortest exact binary-suffixed form, for messages.
std::string formatBytes(std::int64_t bytes);

}  // namespace meshward
