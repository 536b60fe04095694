#include "webhook/common/rfc3339.h"

#include <chrono>

#include <gtest/gtest.h>

namespace meshward {
namespace {

using namespace std::chrono;

TEST(ParseRfc3339, ReadsWhatTheWriterWrites) {
  const auto time = parseRfc3339("2026-11-22T10:04:05.123Z");
  ASSERT_TRUE(time.has_value());
  EXPECT_EQ(*time, sys_days{2026y / 11 / 22} + 10h + 4min + 5s + 123ms);
  EXPECT_EQ(formatRfc3339Millis(*time), "2026-11-22T10:04:05.123Z");
}

TEST(ParseRfc3339, AcceptsOffsetsAndFractionsOfAnyLength) {
  const auto base = sys_days{2026y / 11 / 22} + 10h;
  EXPECT_EQ(parseRfc3339("2026-11-22T10:00:00Z"), base);
  EXPECT_EQ(parseRfc3339("2026-11-22t10:00:00z"), base);
  EXPECT_EQ(parseRfc3339("2026-11-22T12:30:00+02:30"), base);
  EXPECT_EQ(parseRfc3339("2026-11-22T09:00:00-01:00"), base);
  EXPECT_EQ(parseRfc3339("2026-11-22T10:00:00.000000001Z"), base + 1ns);
  EXPECT_EQ(parseRfc3339("2026-11-22T10:00:00.5Z"), base + 500ms);
  EXPECT_EQ(parseRfc3339("2026-11-22T10:00:00.1234567891234Z"), base + 123456789ns);
}

TEST(ParseRfc3339, RejectsWhatIsNotADateTime) {
  for (const char* text : {"", "2026-11-22", "2026-11-22T10:00:00", "2026-11-22T10:00:00.Z",
                           "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z",
                           "2026-11-22T10:60:00Z", "2026-11-22T10:00:00+2:00", "2026-11-22T10:00:00Zjunk",
                           "1969-12-31T23:59:59Z", "9999-01-01T00:00:00Z", "20261122T100000Z",
                           "2026-11-22T10:00:00+24:00", "yesterday"}) {
    EXPECT_FALSE(parseRfc3339(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace meshward
