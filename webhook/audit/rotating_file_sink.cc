#include "webhook/audit/rotating_file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "webhook/audit/log_throttle.h"

namespace meshward::audit {
namespace {

constexpr mode_t kFileMode = 0640;
// A fault that lasts repeats with every record; its log line does not.
constexpr std::chrono::seconds kFaultLogInterval{10};

int openForAppend(const std::string& path) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, kFileMode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

std::string rotatedPath(const std::string& path, int index) { return path + "." + std::to_string(index); }

std::string unloggedNote(std::uint64_t unlogged) {
  return unlogged == 0 ? "" : " (" + std::to_string(unlogged) + " more like it not logged)";
}

class RotatingFileSink final : public DescriptorSink {
 public:
  RotatingFileSink(FileRotation rotation, int fd, const struct stat& status)
      : DescriptorSink(fd), rotation_(std::move(rotation)), regular_(S_ISREG(status.st_mode)) {
    adopt(fd, status);
  }

  void startLine(std::size_t bytes) override {
    line_written_ = 0;
    if (!regular_) {
      return;
    }
    if (fd_ >= 0) {
      followPath();
    }
    if (fd_ >= 0 && torn_bytes_ > 0) {
      endTornLine();
    }
    if (fd_ >= 0 && size_ > 0 && size_ + bytes > rotation_.max_bytes) {
      rotate();
    }
  }

  // A regular file takes the whole line or fails (it never makes a writer wait for room); a
  // line that failed part-way is cut off again.
  long write(std::string_view data) override {
    if (fd_ < 0 && !reopen()) {
      return -1;
    }
    if (!regular_) {
      return DescriptorSink::write(data);
    }
    std::size_t taken = 0;
    while (taken < data.size()) {
      const long written = DescriptorSink::write(data.substr(taken));
      if (written <= 0) {
        const int error = written < 0 ? errno : EAGAIN;
        cutTornLine();
        errno = error;
        return -1;
      }
      taken += static_cast<std::size_t>(written);
      line_written_ += static_cast<std::size_t>(written);
      size_ += static_cast<std::uint64_t>(written);
    }
    return static_cast<long>(taken);
  }

 private:
  void adopt(int fd, const struct stat& status) {
    fd_ = fd;
    device_ = status.st_dev;
    inode_ = status.st_ino;
    size_ = regular_ ? static_cast<std::uint64_t>(status.st_size) : 0;
    torn_bytes_ = 0;
  }

  // Lets go of the file when the path no longer names it (removed, or renamed away and perhaps
  // replaced). One stat(2) per line.
  void followPath() {
    struct stat named {};
    const bool exists = ::stat(rotation_.path.c_str(), &named) == 0;
    if (exists ? named.st_dev == device_ && named.st_ino == inode_ : errno != ENOENT) {
      return;  // still ours, or it cannot be told (keep writing where we are)
    }
    if (exists) {
      spdlog::info("audit file: {} is another file now (rotated by another program?); writing to that one",
                   rotation_.path);
    } else {
      spdlog::warn("audit file: {} is gone (removed, or renamed by a rotation) while meshward was writing it; "
                   "creating it again",
                   rotation_.path);
    }
    closeFile();
  }

  // The next write() opens the path again (creating the file when it is missing).
  void closeFile() {
    ::close(fd_);
    fd_ = -1;
  }

  bool reopen() {
    const int fd = openForAppend(rotation_.path);
    struct stat status {};
    if (fd >= 0 && ::fstat(fd, &status) == 0) {
      adopt(fd, status);
      if (failed_opens_ > 0) {
        spdlog::info("audit file: {} is open again after {} failed attempts", rotation_.path, failed_opens_);
        failed_opens_ = 0;
      }
      return true;
    }
    const int error = errno;
    if (fd >= 0) {
      ::close(fd);
    }
    ++failed_opens_;
    if (const auto unlogged = open_failures_.admit()) {
      spdlog::warn("audit file: cannot open {}: {}; its audit records are lost and counted "
                   "(meshward_audit_write_errors_total{{destination=\"file\"}}), retrying with each record{}",
                   rotation_.path, std::strerror(error), unloggedNote(*unlogged));
    }
    errno = error;
    return false;
  }

  // After a failed write: removes the part of the line that reached the file (O_APPEND: it is the
  // file's last line_written_ bytes), or remembers it for the next line to try again.
  void cutTornLine() {
    torn_bytes_ += line_written_;
    line_written_ = 0;
    if (torn_bytes_ == 0) {
      return;
    }
    struct stat status {};
    const bool cut = ::fstat(fd_, &status) == 0 && static_cast<std::uint64_t>(status.st_size) >= torn_bytes_ &&
                     ::ftruncate(fd_, status.st_size - static_cast<off_t>(torn_bytes_)) == 0;
    if (cut) {
      size_ = static_cast<std::uint64_t>(status.st_size) - torn_bytes_;
      torn_bytes_ = 0;
    } else if (const auto unlogged = fault_log_.admit()) {
      spdlog::error("audit file: cannot cut a partly written record off {}: {}{}", rotation_.path,
                    std::strerror(errno), unloggedNote(*unlogged));
    }
  }

  // A fragment the last failed line left could not be cut then: try again, and when that still
  // fails end it with a newline, so the next record starts a line of its own (a reader skips the
  // fragment as a corrupt line).
  void endTornLine() {
    cutTornLine();
    if (torn_bytes_ > 0 && DescriptorSink::write("\n") == 1) {
      ++size_;
      torn_bytes_ = 0;
    }
  }

  void rotate() {
    const std::string& path = rotation_.path;
    bool moved = true;
    if (rotation_.keep_files == 0) {
      moved = ::unlink(path.c_str()) == 0 || errno == ENOENT;
      if (!moved) {
        rotationFailed("remove " + path);
      }
    } else {
      for (int index = rotation_.keep_files - 1; index >= 1 && moved; --index) {
        moved = renameIfPresent(rotatedPath(path, index), rotatedPath(path, index + 1));
      }
      moved = moved && renameIfPresent(path, rotatedPath(path, 1));
    }
    if (moved) {
      closeFile();
    }
  }

  // Renames `from` over `to`; a missing `from` is not an error (fewer rotations so far).
  bool renameIfPresent(const std::string& from, const std::string& to) {
    if (std::rename(from.c_str(), to.c_str()) == 0 || errno == ENOENT) {
      return true;
    }
    rotationFailed("rename " + from + " to " + to);
    return false;
  }

  // A failed rotation keeps appending to the current file rather than losing records.
  void rotationFailed(const std::string& what) {
    const int error = errno;
    if (const auto unlogged = fault_log_.admit()) {
      spdlog::warn("audit log rotation: cannot {}: {}; still appending to {}{}", what, std::strerror(error),
                   rotation_.path, unloggedNote(*unlogged));
    }
  }

  const FileRotation rotation_;
  const bool regular_;  // false for a FIFO or character device: neither rotated nor followed
  dev_t device_ = 0;    // the file being written, to notice when the path names another
  ino_t inode_ = 0;
  std::uint64_t size_ = 0;
  std::size_t line_written_ = 0;  // bytes of the current line in the file so far
  std::size_t torn_bytes_ = 0;    // a failed line's fragment at the end of the file, not yet cut
  std::uint64_t failed_opens_ = 0;
  LogThrottle open_failures_{kFaultLogInterval};
  LogThrottle fault_log_{kFaultLogInterval};
};

}  // namespace

Result<std::unique_ptr<AuditSink>> openAuditFile(const FileRotation& rotation) {
  const std::string& path = rotation.path;
  const int fd = openForAppend(path);
  if (fd < 0) {
    return Error{"audit log " + path + ": cannot open for appending: " + std::strerror(errno)};
  }
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    return Error{"audit log " + path + ": cannot stat: " + reason};
  }
  if (!S_ISREG(status.st_mode) && !S_ISCHR(status.st_mode) && !S_ISFIFO(status.st_mode)) {
    ::close(fd);
    return Error{"audit log " + path + ": not a regular file"};
  }
  return std::unique_ptr<AuditSink>(new RotatingFileSink(rotation, fd, status));
}

}  // namespace meshward::audit
