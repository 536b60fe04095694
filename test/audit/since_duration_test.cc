#include "webhook/audit/since_duration.h"

#include <chrono>

#include <gtest/gtest.h>

namespace meshward::audit {
namespace {

using namespace std::chrono;

TEST(ParseSinceDuration, GoDurationsAndDays) {
  EXPECT_EQ(parseSinceDuration("30m"), milliseconds{30min});
  EXPECT_EQ(parseSinceDuration("24h"), milliseconds{24h});
  EXPECT_EQ(parseSinceDuration("1h30m"), milliseconds{90min});
  EXPECT_EQ(parseSinceDuration("7d"), milliseconds{168h});
  EXPECT_EQ(parseSinceDuration("1d12h"), milliseconds{36h});
  EXPECT_EQ(parseSinceDuration("1.5d"), milliseconds{36h});
  EXPECT_EQ(parseSinceDuration("90s"), milliseconds{90s});
}

TEST(ParseSinceDuration, RejectsWhatIsNotADuration) {
  for (const char* text : {"", "d", "7", "7x", "-1h", "7dd", "7 d", "h7", "1..5d", "3650000d", "1d-1h"}) {
    EXPECT_FALSE(parseSinceDuration(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace meshward::audit
