#pragma once
// Durations as Istio's ProxyConfig and Go write them: "30s", "1m30s", "1.5h", "250ms".

#include <optional>
#include <string_view>

namespace meshward {

// Milliseconds, or nullopt when the text is not a valid non-negative Go duration.
std::optional<double> parseDurationMillis(std::string_view text);

}  // namespace meshward
