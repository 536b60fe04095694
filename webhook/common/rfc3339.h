#pragma once
// RFC 3339 timestamps as Kubernetes and meshward's audit log write them
// ("2026-11-22T10:04:05.123Z", or with a numeric offset such as "+02:00").

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace meshward {

// The instant, or nullopt when the text is not a valid RFC 3339 date-time in the years
// 1970-2200.
std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text);

// UTC with milliseconds: "2026-11-22T10:04:05.123Z".
std::string formatRfc3339Millis(std::chrono::system_clock::time_point time);

}  // namespace meshward
