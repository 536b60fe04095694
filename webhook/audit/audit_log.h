#pragma once
// The audit log writer: one JSON line per decision to stdout and/or an append-only file with
// size-based rotation (FILE, FILE.1 ... FILE.N). write() returns once the line is in the kernel
// (the server writes the record before it sends the response), normally as one write(2) by the
// caller; a destination that stops taking data keeps the line in a bounded queue and the caller
// waits for it at most `max_wait` (see AuditDestination). Concurrent writers never interleave
// lines. A record no destination took is logged whole at error level (at most one a second), so
// that it survives in the process's log.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "webhook/audit/audit_destination.h"
#include "webhook/audit/log_throttle.h"
#include "webhook/common/metrics.h"
#include "webhook/common/result.h"

namespace meshward::audit {

struct AuditLogOptions {
  bool to_stdout = true;
  std::string file;                              // empty: no file
  std::uint64_t max_file_bytes = 100ull << 20;   // rotate when the next line would pass this
  int keep_files = 5;                            // rotated files kept besides FILE
  std::chrono::milliseconds max_wait{100};       // longest a caller waits for its line
  std::size_t max_queued = 10000;                // lines held per destination while it is stalled
};

// How one record fared over the destinations.
struct RecordOutcome {
  LineOutcome worst = LineOutcome::Written;  // Written when every destination has the line
  LineOutcome best = LineOutcome::Written;   // Failed or Dropped when none wrote or queued it
  std::string unreached;  // when none did: each destination and what happened ("file: write failed")

  bool reachedAny() const { return best == LineOutcome::Written || best == LineOutcome::Queued; }
};

class AuditLog {
 public:
  // Opens the file (creating it 0640 if needed); an unwritable path, max_file_bytes 0, a
  // negative keep_files or max_queued 0 is an error value. `metrics` (may be null) receives the
  // backlog, drops and write failures.
  static Result<std::unique_ptr<AuditLog>> open(const AuditLogOptions& options, Metrics* metrics = nullptr);
  ~AuditLog();

  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Writes one record, serialised as one line of JSON (no newline).
  RecordOutcome write(std::string line);
  // Waits (bounded) for the queues to be written and fsyncs the file; called at shutdown.
  void flush();

  std::size_t backlog() const;
  std::uint64_t dropped() const;

 private:
  explicit AuditLog(std::chrono::milliseconds max_wait);

  void logUnreached(const std::string& line, const std::string& unreached);

  std::chrono::milliseconds max_wait_;
  std::vector<std::unique_ptr<AuditDestination>> destinations_;
  LogThrottle unreached_log_{std::chrono::seconds(1)};
};

}  // namespace meshward::audit
