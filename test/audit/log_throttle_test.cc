#include "webhook/audit/log_throttle.h"

#include <gtest/gtest.h>

namespace meshward::audit {
namespace {

using namespace std::chrono_literals;

TEST(LogThrottle, LogsTheFirstCountsTheRestOfTheIntervalAndReportsThemNextTime) {
  LogThrottle throttle(1s);
  const LogThrottle::Clock::time_point start{};
  EXPECT_EQ(throttle.admit(start), std::optional<std::uint64_t>(0));
  EXPECT_EQ(throttle.admit(start + 10ms), std::nullopt);
  EXPECT_EQ(throttle.admit(start + 999ms), std::nullopt);
  EXPECT_EQ(throttle.admit(start + 1s), std::optional<std::uint64_t>(2));
  EXPECT_EQ(throttle.admit(start + 1500ms), std::nullopt);
  EXPECT_EQ(throttle.admit(start + 5s), std::optional<std::uint64_t>(1));
  EXPECT_EQ(throttle.admit(start + 7s), std::optional<std::uint64_t>(0));
}

}  // namespace
}  // namespace meshward::audit
