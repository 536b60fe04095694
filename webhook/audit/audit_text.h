#pragma once
// The human-readable side of `meshward audit`: one line per record, then the summary tables
// and, on request, every break-glass bypass with its age and whether to reconcile with Git.

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "webhook/audit/audit_reader.h"
#include "webhook/audit/audit_summary.h"

namespace meshward::audit {

// "2026-11-22T10:04:05.123Z  denied   CREATE  DestinationRule default/reviews  user=alice
//  rules=subset-exists(deny)  dry-run  BREAK-GLASS" (one line).
std::string formatEntryLine(const AuditEntry& entry);

// "45s ago", "12m ago", "3h ago", "2d 4h ago"; "in the future" for a negative age.
std::string formatAge(std::int64_t age_seconds);

// Record text for a terminal: control characters (C0, DEL, C1) become '?', empty becomes "-".
std::string printable(std::string_view text);

// Totals, the per-rule table, the top users by denials and, when `list_break_glass`, every
// bypass; otherwise only the number of bypasses.
void writeSummaryText(std::ostream& out, const AuditSummary& summary, std::chrono::system_clock::time_point now,
                      bool list_break_glass);

}  // namespace meshward::audit
