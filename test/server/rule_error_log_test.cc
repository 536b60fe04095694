#include "webhook/server/rule_error_log.h"

#include <gtest/gtest.h>

namespace meshward::server {
namespace {

using namespace std::chrono_literals;

TEST(RuleErrorLog, LogsTheFirstFailureOfABurstAndCountsTheRest) {
  RuleErrorLog log(60s);
  const RuleErrorLog::Clock::time_point start{};
  EXPECT_EQ(log.note("strict-mtls-needs-sidecars", "boom", start),
            "rule strict-mtls-needs-sidecars failed on a request: boom (its onError action answered for it)");
  EXPECT_EQ(log.note("strict-mtls-needs-sidecars", "boom", start + 1s), "");
  EXPECT_EQ(log.note("strict-mtls-needs-sidecars", "boom", start + 59s), "");
  EXPECT_NE(log.note("sidecar-memory", "other", start + 2s), "") << "each rule has its own burst";
  const std::string next = log.note("strict-mtls-needs-sidecars", "boom again", start + 61s);
  EXPECT_NE(next.find("boom again"), std::string::npos) << next;
  EXPECT_NE(next.find("2 more failures since the last such line"), std::string::npos) << next;
  EXPECT_EQ(log.note("strict-mtls-needs-sidecars", "boom", start + 62s), "");
}

}  // namespace
}  // namespace meshward::server
