#include "webhook/cluster/kube/stop_signal.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace meshward::cluster::kube {

StopSignal::StopSignal() : event_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

StopSignal::~StopSignal() {
  if (event_fd_ >= 0) {
    ::close(event_fd_);
  }
}

void StopSignal::request() {
  {
    std::lock_guard lock(mutex_);
    if (requested_.exchange(true)) {
      return;
    }
  }
  wake_.notify_all();
  if (event_fd_ >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(event_fd_, &one, sizeof(one));
  }
}

bool StopSignal::waitFor(std::chrono::milliseconds duration) const {
  std::unique_lock lock(mutex_);
  return wake_.wait_for(lock, duration, [this] { return requested_.load(); });
}

}  // namespace meshward::cluster::kube
