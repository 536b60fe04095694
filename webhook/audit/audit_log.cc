#include "webhook/audit/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

namespace meshward::audit {
namespace {

constexpr mode_t kFileMode = 0640;

int openForAppend(const std::string& path) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, kFileMode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// One write() for the whole line unless the kernel takes less; retries EINTR and the rest of
// a partial write.
bool writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    if (written == 0) {
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

std::string rotatedPath(const std::string& path, int index) { return path + "." + std::to_string(index); }

// Renames `from` over `to`; a missing `from` is not an error (fewer rotations so far).
bool renameIfPresent(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) == 0 || errno == ENOENT) {
    return true;
  }
  spdlog::warn("audit log rotation: cannot rename {} to {}: {}", from, to, std::strerror(errno));
  return false;
}

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::open(const AuditLogOptions& options) {
  if (options.max_file_bytes == 0) {
    return Error{"audit log " + options.file + ": max_file_bytes must be greater than 0"};
  }
  if (options.keep_files < 0) {
    return Error{"audit log " + options.file + ": keep_files must not be negative"};
  }
  if (options.file.empty()) {
    return std::unique_ptr<AuditLog>(new AuditLog(options, -1, 0));
  }
  const int fd = openForAppend(options.file);
  if (fd < 0) {
    return Error{"audit log " + options.file + ": cannot open for appending: " + std::strerror(errno)};
  }
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    return Error{"audit log " + options.file + ": cannot stat: " + reason};
  }
  if (!S_ISREG(status.st_mode) && !S_ISCHR(status.st_mode) && !S_ISFIFO(status.st_mode)) {
    ::close(fd);
    return Error{"audit log " + options.file + ": not a regular file"};
  }
  const bool regular = S_ISREG(status.st_mode);
  std::unique_ptr<AuditLog> log(new AuditLog(options, fd, regular ? static_cast<std::uint64_t>(status.st_size) : 0));
  log->rotatable_ = regular;
  return log;
}

AuditLog::AuditLog(AuditLogOptions options, int fd, std::uint64_t size)
    : options_(std::move(options)), fd_(fd), size_(size) {}

AuditLog::~AuditLog() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

bool AuditLog::write(const nlohmann::json& record) {
  std::string line;
  try {
    line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line += '\n';
  } catch (const std::exception& error) {
    spdlog::warn("audit log: cannot serialise record: {}", error.what());
    return false;
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  bool written = true;
  if (!options_.file.empty()) {
    written = writeToFileLocked(line) && written;
  }
  if (options_.to_stdout) {
    written = writeAll(STDOUT_FILENO, line) && written;
  }
  return written;
}

bool AuditLog::writeToFileLocked(const std::string& line) {
  if (fd_ < 0 && !reopenLocked()) {
    return false;
  }
  if (rotatable_ && size_ > 0 && size_ + line.size() > options_.max_file_bytes) {
    rotateLocked();
    if (fd_ < 0) {
      return false;
    }
  }
  if (!writeAll(fd_, line)) {
    return false;
  }
  size_ += line.size();
  return true;
}

bool AuditLog::rotateLocked() {
  const std::string& path = options_.file;
  bool renamed = true;
  if (options_.keep_files == 0) {
    renamed = ::unlink(path.c_str()) == 0 || errno == ENOENT;
    if (!renamed) {
      spdlog::warn("audit log rotation: cannot remove {}: {}", path, std::strerror(errno));
    }
  } else {
    for (int index = options_.keep_files - 1; index >= 1 && renamed; --index) {
      renamed = renameIfPresent(rotatedPath(path, index), rotatedPath(path, index + 1));
    }
    renamed = renamed && renameIfPresent(path, rotatedPath(path, 1));
  }
  if (!renamed) {
    // Keep appending to the current file rather than losing records.
    return false;
  }
  ::close(fd_);
  fd_ = -1;
  return reopenLocked();
}

bool AuditLog::reopenLocked() {
  const int fd = openForAppend(options_.file);
  if (fd < 0) {
    spdlog::warn("audit log: cannot open {}: {}", options_.file, std::strerror(errno));
    return false;
  }
  struct stat status {};
  size_ = ::fstat(fd, &status) == 0 && S_ISREG(status.st_mode) ? static_cast<std::uint64_t>(status.st_size) : 0;
  fd_ = fd;
  return true;
}

void AuditLog::flush() {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (fd_ >= 0) {
    ::fsync(fd_);
  }
}

}  // namespace meshward::audit
