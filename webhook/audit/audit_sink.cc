#include "webhook/audit/audit_sink.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace meshward::audit {
namespace {

bool isSocket(int fd) {
  struct stat status {};
  return ::fstat(fd, &status) == 0 && S_ISSOCK(status.st_mode);
}

}  // namespace

DescriptorSink::DescriptorSink(int fd) : fd_(fd), socket_(isSocket(fd)) {}

DescriptorSink::~DescriptorSink() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

long DescriptorSink::write(std::string_view data) {
  while (true) {
    const ssize_t written = socket_ ? ::send(fd_, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL)
                                    : ::write(fd_, data.data(), data.size());
    if (written >= 0) {
      return static_cast<long>(written);
    }
    if (errno == EINTR) {
      continue;
    }
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  }
}

bool DescriptorSink::awaitWritable(std::chrono::milliseconds timeout) {
  pollfd ready{fd_, POLLOUT, 0};
  const int result = ::poll(&ready, 1, static_cast<int>(timeout.count()));
  return result > 0;
}

void DescriptorSink::sync() { ::fsync(fd_); }

Result<std::unique_ptr<AuditSink>> openStdoutSink() {
  struct stat status {};
  if (::fstat(STDOUT_FILENO, &status) != 0) {
    return Error{std::string("audit to stdout: stdout is not open: ") + std::strerror(errno)};
  }
  int fd = -1;
  if (S_ISFIFO(status.st_mode) || S_ISCHR(status.st_mode)) {
    fd = ::open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      spdlog::warn("audit to stdout: cannot reopen stdout without blocking ({}); a stalled reader can hold "
                   "audit writes up",
                   std::strerror(errno));
    }
  }
  if (fd < 0) {
    fd = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
  }
  if (fd < 0) {
    return Error{std::string("audit to stdout: cannot duplicate stdout: ") + std::strerror(errno)};
  }
  return std::unique_ptr<AuditSink>(new DescriptorSink(fd));
}

}  // namespace meshward::audit
