#pragma once
// The audit log writer: one JSON line per decision to stdout and/or an append-only file with
// size-based rotation (FILE, FILE.1 ... FILE.N). write() returns only after the line is in the
// kernel (the server writes the record before it sends the response); concurrent writers
// never interleave lines.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "webhook/common/result.h"

namespace meshward::audit {

struct AuditLogOptions {
  bool to_stdout = true;
  std::string file;                              // empty: no file
  std::uint64_t max_file_bytes = 100ull << 20;   // rotate when the next line would pass this
  int keep_files = 5;                            // rotated files kept besides FILE
};

class AuditLog {
 public:
  // Opens the file (creating it 0640 if needed); an unwritable path, max_file_bytes 0 or a
  // negative keep_files is an error value.
  static Result<std::unique_ptr<AuditLog>> open(const AuditLogOptions& options);
  ~AuditLog();

  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Returns false when the line could not be written (logged and counted by the caller).
  bool write(const nlohmann::json& record);
  // fsyncs the file; called at shutdown.
  void flush();

 private:
  explicit AuditLog(AuditLogOptions options, int fd, std::uint64_t size);
  // FILE -> FILE.1 -> ... -> FILE.keep_files (the oldest is dropped), then a fresh FILE.
  bool rotateLocked();
  // Opens FILE again after a failed rotation or reopen; false while it cannot.
  bool reopenLocked();
  bool writeToFileLocked(const std::string& line);

  AuditLogOptions options_;
  std::mutex mutex_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  bool rotatable_ = true;  // false for a character device or FIFO given as the file
};

}  // namespace meshward::audit
