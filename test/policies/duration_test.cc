#include "webhook/common/duration.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace meshward::policies {
namespace {

TEST(DurationTest, ParsesGoDurations) {
  const std::vector<std::pair<std::string, double>> cases = {
      {"30s", 30000}, {"1m30s", 90000}, {"1.5h", 5400000},   {"250ms", 250},         {"0", 0},
      {"0s", 0},      {"10us", 0.01},   {"10\u00b5s", 0.01}, {"10\u03bcs", 0.01},    {"1500ns", 0.0015},
      {".5s", 500},   {"5.s", 5000},    {"+5s", 5000},       {"1h1m1s1ms", 3661001},
  };
  for (const auto& [text, millis] : cases) {
    const std::optional<double> parsed = parseDurationMillis(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_DOUBLE_EQ(*parsed, millis) << text;
  }
}

TEST(DurationTest, RefusesWhatGoRefuses) {
  for (const std::string text :
       {"", "30", "-5s", "1.2.3s", "s", "5x", "1m30", ".s", "1d", "5 s", " 5s", "5S", "+", "1sm", "\u00b5s"}) {
    EXPECT_EQ(parseDurationMillis(text), std::nullopt) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace meshward::policies
