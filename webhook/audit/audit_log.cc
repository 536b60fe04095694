#include "webhook/audit/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
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

// One write() for the whole buffer unless the kernel takes less; retries EINTR and the rest of
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

std::string joined(std::span<const AuditLine> lines) {
  std::size_t size = 0;
  for (const AuditLine& line : lines) {
    size += line->size();
  }
  std::string out;
  out.reserve(size);
  for (const AuditLine& line : lines) {
    out += *line;
  }
  return out;
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

LineOutcome worse(LineOutcome left, LineOutcome right) {
  const auto rank = [](LineOutcome outcome) {
    switch (outcome) {
      case LineOutcome::Written: return 0;
      case LineOutcome::Queued: return 1;
      case LineOutcome::Failed: return 2;
      case LineOutcome::Dropped: return 3;
    }
    return 3;
  };
  return rank(left) >= rank(right) ? left : right;
}

}  // namespace

// The rotated file, written only by its destination's thread; the mutex keeps flush()'s fsync
// off a descriptor that rotation is closing.
class AuditLog::File {
 public:
  File(AuditLogOptions options, int fd, std::uint64_t size, bool rotatable)
      : options_(std::move(options)), fd_(fd), size_(size), rotatable_(rotatable) {}
  ~File() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

  bool write(std::span<const AuditLine> lines) {
    const std::lock_guard lock(mutex_);
    bool written = true;
    std::string chunk;
    for (const AuditLine& line : lines) {
      const std::uint64_t pending = size_ + chunk.size();
      if (rotatable_ && pending > 0 && pending + line->size() > options_.max_file_bytes) {
        written = writeLocked(chunk) && written;
        chunk.clear();
        rotateLocked();
      }
      chunk += *line;
    }
    return writeLocked(chunk) && written;
  }

  void sync() {
    const std::lock_guard lock(mutex_);
    if (fd_ >= 0) {
      ::fsync(fd_);
    }
  }

 private:
  bool writeLocked(std::string_view data) {
    if (data.empty()) {
      return true;
    }
    if (fd_ < 0 && !reopenLocked()) {
      return false;
    }
    if (!writeAll(fd_, data)) {
      return false;
    }
    size_ += data.size();
    return true;
  }

  // FILE -> FILE.1 -> ... -> FILE.keep_files (the oldest is dropped), then a fresh FILE. On a
  // failed rename it keeps appending to the current file rather than losing records.
  void rotateLocked() {
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
    if (renamed) {
      ::close(fd_);
      fd_ = -1;
      reopenLocked();
    }
  }

  bool reopenLocked() {
    const int reopened = openForAppend(options_.file);
    if (reopened < 0) {
      spdlog::warn("audit log: cannot open {}: {}", options_.file, std::strerror(errno));
      return false;
    }
    struct stat status {};
    size_ = ::fstat(reopened, &status) == 0 && S_ISREG(status.st_mode) ? static_cast<std::uint64_t>(status.st_size)
                                                                      : 0;
    fd_ = reopened;
    return true;
  }

  const AuditLogOptions options_;
  std::mutex mutex_;
  int fd_;
  std::uint64_t size_;
  const bool rotatable_;  // false for a character device or FIFO given as the file
};

Result<std::unique_ptr<AuditLog>> AuditLog::open(const AuditLogOptions& options, Metrics* metrics) {
  if (options.max_file_bytes == 0) {
    return Error{"audit log " + options.file + ": max_file_bytes must be greater than 0"};
  }
  if (options.keep_files < 0) {
    return Error{"audit log " + options.file + ": keep_files must not be negative"};
  }
  if (options.max_queued == 0) {
    return Error{"audit log: the queue must hold at least one record"};
  }
  std::shared_ptr<File> file;
  if (!options.file.empty()) {
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
    file = std::make_shared<File>(options, fd, regular ? static_cast<std::uint64_t>(status.st_size) : 0, regular);
  }
  std::unique_ptr<AuditLog> log(new AuditLog(options.max_wait, file));
  if (file) {
    log->destinations_.push_back(std::make_unique<AuditDestination>(
        "file", [file](std::span<const AuditLine> lines) { return file->write(lines); }, options.max_queued,
        metrics));
  }
  if (options.to_stdout) {
    log->destinations_.push_back(std::make_unique<AuditDestination>(
        "stdout", [](std::span<const AuditLine> lines) { return writeAll(STDOUT_FILENO, joined(lines)); },
        options.max_queued, metrics));
  }
  return log;
}

AuditLog::AuditLog(std::chrono::milliseconds max_wait, std::shared_ptr<File> file)
    : max_wait_(max_wait), file_(std::move(file)) {}

AuditLog::~AuditLog() = default;

LineOutcome AuditLog::write(const nlohmann::json& record) {
  std::string line;
  try {
    line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line += '\n';
  } catch (const std::exception& error) {
    spdlog::warn("audit log: cannot serialise record: {}", error.what());
    return LineOutcome::Failed;
  }
  const auto shared = std::make_shared<const std::string>(std::move(line));
  std::uint64_t tickets[2] = {0, 0};
  for (std::size_t i = 0; i < destinations_.size(); ++i) {
    tickets[i] = destinations_[i]->enqueue(shared);
  }
  const auto deadline = AuditDestination::Clock::now() + max_wait_;
  LineOutcome outcome = LineOutcome::Written;
  for (std::size_t i = 0; i < destinations_.size(); ++i) {
    outcome = worse(outcome, destinations_[i]->await(tickets[i], deadline));
  }
  return outcome;
}

void AuditLog::flush() {
  const auto deadline = AuditDestination::Clock::now() + AuditDestination::kDrainOnClose;
  for (const auto& destination : destinations_) {
    destination->drain(deadline);
  }
  if (file_) {
    file_->sync();
  }
}

std::size_t AuditLog::backlog() const {
  std::size_t lines = 0;
  for (const auto& destination : destinations_) {
    lines += destination->backlog();
  }
  return lines;
}

std::uint64_t AuditLog::dropped() const {
  std::uint64_t lines = 0;
  for (const auto& destination : destinations_) {
    lines += destination->dropped();
  }
  return lines;
}

}  // namespace meshward::audit
