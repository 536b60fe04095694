#pragma once
// The --since window of `meshward audit`: a Go duration ("30m", "1h30m", "24h") that may also
// start with whole or fractional days ("7d", "1d12h", "1.5d"), as platform engineers write them.

#include <chrono>
#include <optional>
#include <string_view>

namespace meshward::audit {

// At most this far back; longer windows are rejected rather than overflowing the clock.
inline constexpr std::chrono::hours kLongestSince{24 * 365 * 100};

// The window, or nullopt when the text is not such a duration or is longer than kLongestSince.
std::optional<std::chrono::milliseconds> parseSinceDuration(std::string_view text);

}  // namespace meshward::audit
