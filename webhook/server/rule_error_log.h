#pragma once
// Logs rule failures once per burst: the first failure of a rule is logged at once, the ones that
// follow within `quiet` only counted, and the next failure after that names how many were not
// logged. (meshward_rule_errors_total counts every one.)

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace meshward::server {

class RuleErrorLog {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RuleErrorLog(Clock::duration quiet = std::chrono::minutes(1)) : quiet_(quiet) {}

  // The line to log for this failure, or "" when it falls in a burst already logged.
  std::string note(std::string_view rule, std::string_view what, Clock::time_point now = Clock::now());

 private:
  struct Burst {
    Clock::time_point logged_at;
    std::size_t unlogged = 0;
  };

  const Clock::duration quiet_;
  std::mutex mutex_;
  std::map<std::string, Burst, std::less<>> bursts_;
};

}  // namespace meshward::server
