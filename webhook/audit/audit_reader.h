#pragma once
// Reading audit logs back for `meshward audit`: each line is validated into an AuditEntry; a
// line that is not a record is reported with its line number and why, and reading goes on.

#include <chrono>
#include <cstddef>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/common/result.h"

namespace meshward::audit {

struct AuditFindingEntry {
  std::string rule;
  std::string code;
  std::string action;  // empty for a bypassed finding
  std::string message;
};

struct AuditBreakGlassEntry {
  std::string user;
  std::string reason;
  std::vector<AuditFindingEntry> bypassed;
  // Records written before bypasses expired have none.
  std::optional<std::chrono::system_clock::time_point> expires;
  std::string expires_text;  // as written
};

// The fields of one record the review needs, plus the record itself for JSON output.
struct AuditEntry {
  std::chrono::system_clock::time_point time;
  std::string time_text;  // as written in the record
  std::string uid;
  std::string operation;
  std::string user;
  std::string kind;
  std::string namespace_name;
  std::string name;
  bool allowed = true;
  bool dry_run = false;
  std::vector<AuditFindingEntry> findings;
  std::optional<AuditBreakGlassEntry> break_glass;
  nlohmann::json record;
};

struct SkippedLine {
  std::string source;  // the file name as given, "<stdin>" for standard input
  std::size_t line = 0;
  std::string why;
};

// Longer lines are skipped without being held in memory; records are a few KiB.
inline constexpr std::size_t kMaxAuditLineBytes = 4u << 20;
// Records nest four levels deep; anything far deeper is not a record.
inline constexpr int kMaxAuditRecordDepth = 32;

// Validates one line: JSON, an object, every required field present with its type (time,
// decision, operation, user, resource.kind, namespace, name, findings, breakGlass) and the
// optional ones (uid, webhook, dryRun, groups, mutations, latencyMicros, policyHash) typed.
Result<AuditEntry> parseAuditRecord(std::string_view line);

// Reads `in` to its end, handing over each record or skipped line in order; blank lines are
// ignored.
void readAuditLines(std::istream& in, const std::string& source, const std::function<void(AuditEntry&&)>& on_entry,
                    const std::function<void(const SkippedLine&)>& on_skipped);

// The rotated files FILE.N ... FILE.1 that exist next to `path`, oldest first; the search
// stops at the first missing index.
std::vector<std::string> rotatedSiblingsOldestFirst(const std::string& path);

}  // namespace meshward::audit
