#pragma once
// Keeps a line that may repeat with every request to at most one per interval: the first one is
// logged at once, those within the interval are only counted, and the next one logged can say
// how many were not. Safe to share between threads.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace meshward::audit {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(Clock::duration interval) : interval_(interval) {}

  // When this occurrence is to be logged: how many went unlogged since the last logged one.
  // nullopt when it falls within the interval (it is counted instead).
  std::optional<std::uint64_t> admit(Clock::time_point now = Clock::now());

 private:
  const Clock::duration interval_;
  std::mutex mutex_;
  std::optional<Clock::time_point> logged_at_;
  std::uint64_t unlogged_ = 0;
};

}  // namespace meshward::audit
