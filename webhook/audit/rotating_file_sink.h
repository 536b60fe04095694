#pragma once
// The --audit-log file as an audit sink. A regular file is appended without blocking, rotated by
// size at a line boundary (FILE -> FILE.1 -> ... -> FILE.keep_files, the oldest dropped), and
// kept pointing at its path: when FILE is removed or renamed away while meshward writes it (an
// external logrotate, an operator), the next line goes to a new FILE. A line the disk takes only
// in part (ENOSPC) is cut off again, so the file stays one JSON object per line. A path that
// cannot be reopened fails each line (counted by its destination) and is retried with the next,
// logging at most one line per interval. A FIFO or character device is written as it is.

#include <cstdint>
#include <memory>
#include <string>

#include "webhook/audit/audit_sink.h"
#include "webhook/common/result.h"

namespace meshward::audit {

struct FileRotation {
  std::string path;
  std::uint64_t max_bytes = 100ull << 20;  // rotate when the next line would pass this
  int keep_files = 5;                      // rotated files kept besides FILE
};

// Opens (creating it 0640) the file, a FIFO or a character device for appending; anything else,
// or a path that cannot be opened, is an error value naming it.
Result<std::unique_ptr<AuditSink>> openAuditFile(const FileRotation& rotation);

}  // namespace meshward::audit
