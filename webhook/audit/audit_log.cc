#include "webhook/audit/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
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
constexpr std::size_t kMaxDestinations = 2;  // the file and stdout

int openForAppend(const std::string& path) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, kFileMode);
  } while (fd < 0 && errno == EINTR);
  return fd;
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

// The --audit-log file (or FIFO, or device): appended without blocking, rotated by size at a
// line boundary (FILE -> FILE.1 -> ... -> FILE.keep_files, the oldest dropped, then a fresh
// FILE). A failed rename keeps appending to the current file rather than losing records.
class RotatingFileSink final : public DescriptorSink {
 public:
  RotatingFileSink(AuditLogOptions options, int fd, std::uint64_t size, bool rotatable)
      : DescriptorSink(fd), options_(std::move(options)), size_(size), rotatable_(rotatable) {}

  void startLine(std::size_t bytes) override {
    if (rotatable_ && size_ > 0 && size_ + bytes > options_.max_file_bytes) {
      rotate();
    }
  }

  long write(std::string_view data) override {
    if (fd_ < 0 && !reopen()) {
      return -1;
    }
    const long taken = DescriptorSink::write(data);
    size_ += taken > 0 ? static_cast<std::uint64_t>(taken) : 0;
    return taken;
  }

 private:
  void rotate() {
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
      reopen();
    }
  }

  bool reopen() {
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
  std::unique_ptr<AuditLog> log(new AuditLog(options.max_wait));
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
    log->destinations_.push_back(std::make_unique<AuditDestination>(
        "file",
        std::make_unique<RotatingFileSink>(options, fd, regular ? static_cast<std::uint64_t>(status.st_size) : 0,
                                           regular),
        options.max_queued, metrics));
  }
  if (options.to_stdout) {
    auto sink = openStdoutSink();
    if (!sink) {
      return Error{sink.error()};
    }
    log->destinations_.push_back(
        std::make_unique<AuditDestination>("stdout", std::move(*sink), options.max_queued, metrics));
  }
  return log;
}

AuditLog::AuditLog(std::chrono::milliseconds max_wait) : max_wait_(max_wait) {}

AuditLog::~AuditLog() = default;

LineOutcome AuditLog::write(std::string line) {
  line += '\n';
  std::array<AuditDestination::Submission, kMaxDestinations> submitted;
  bool queued = false;
  for (std::size_t i = 0; i < destinations_.size(); ++i) {
    submitted[i] = destinations_[i]->submit(line);
    queued = queued || submitted[i].outcome == LineOutcome::Queued;
  }
  const auto deadline = queued ? AuditDestination::Clock::now() + max_wait_ : AuditDestination::Clock::time_point();
  LineOutcome outcome = LineOutcome::Written;
  for (std::size_t i = 0; i < destinations_.size(); ++i) {
    outcome = std::max(outcome, destinations_[i]->await(submitted[i], deadline));
  }
  return outcome;
}

void AuditLog::flush() {
  const auto deadline = AuditDestination::Clock::now() + AuditDestination::kDrainOnClose;
  for (const auto& destination : destinations_) {
    destination->flush(deadline);
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
