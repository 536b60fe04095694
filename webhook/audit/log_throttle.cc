#include "webhook/audit/log_throttle.h"

namespace meshward::audit {

std::optional<std::uint64_t> LogThrottle::admit(Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  if (logged_at_ && now - *logged_at_ < interval_) {
    ++unlogged_;
    return std::nullopt;
  }
  logged_at_ = now;
  const std::uint64_t unlogged = unlogged_;
  unlogged_ = 0;
  return unlogged;
}

}  // namespace meshward::audit
