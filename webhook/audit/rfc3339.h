#pragma once
// Reading RFC 3339 timestamps back from audit records ("2026-11-22T10:04:05.123Z", or with a
// numeric offset such as "+02:00"). The writer's side is formatRfc3339Millis in audit_record.h.

#include <chrono>
#include <optional>
#include <string_view>

namespace meshward::audit {

// The instant, or nullopt when the text is not a valid RFC 3339 date-time in the years
// 1970-2200.
std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text);

}  // namespace meshward::audit
