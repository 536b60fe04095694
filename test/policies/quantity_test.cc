#include "webhook/common/quantity.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace meshward::policies {
namespace {

constexpr std::int64_t kMi = 1024 * 1024;
constexpr std::int64_t kGi = 1024 * kMi;

TEST(QuantityTest, ParsesTheFormsKubernetesDocuments) {
  const std::vector<std::pair<std::string, std::int64_t>> cases = {
      {"128974848", 128974848},
      {"129e6", 129000000},
      {"129M", 129000000},
      {"123Mi", 128974848},
      {"0.5Gi", 512 * kMi},
      {"1e3", 1000},
      {"1E3", 1000},
      {"1k", 1000},
      {"1Ki", 1024},
      {"256Mi", 256 * kMi},
      {"1.5Gi", 3 * kGi / 2},
      {"2Ti", 2 * 1024 * kGi},
      {"1E", 1000000000000000000},
      {"7Ei", 7 * (std::int64_t{1} << 60)},
      {"+64Mi", 64 * kMi},
      {".5Ki", 512},
      {"5.", 5},
      {"0", 0},
      {"0Mi", 0},
      {"1000000000000000000000000000e-20", 10000000},
      {"9223372036854775807", INT64_MAX},
  };
  for (const auto& [text, bytes] : cases) {
    EXPECT_EQ(parseQuantityBytes(text), std::optional<std::int64_t>(bytes)) << text;
  }
}

TEST(QuantityTest, RoundsFractionalBytesUp) {
  const std::vector<std::pair<std::string, std::int64_t>> cases = {
      {"0.1", 1},
      {"1m", 1},
      {"1500m", 2},
      {"1000m", 1},
      {"0.1Ki", 103},
      {"1n", 1},
      {"1e-999", 1},
      {"1.0000001Mi", 1048577},
      // 30 significant digits scaled by 2^40, computed exactly with Python's decimal module.
      {"1234567.12345678901234567890123Ti", 1357420907510708039},
  };
  for (const auto& [text, bytes] : cases) {
    EXPECT_EQ(parseQuantityBytes(text), std::optional<std::int64_t>(bytes)) << text;
  }
}

TEST(QuantityTest, RefusesWhatKubernetesRefuses) {
  for (const std::string text :
       {"",   "12Qi", "1.2.3", "-5Mi", "-1",  "Mi",     ".",    "+",     "1 Mi",  " 1Mi",  "1Mi ",
        "1K", "1mi",  "1e3Ki", "1e",   "1e+", "1e1000", "0x10", "1,000", "1_000", "12MiB", "e3"}) {
    EXPECT_EQ(parseQuantityBytes(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(QuantityTest, RefusesValuesBeyondInt64) {
  EXPECT_EQ(parseQuantityBytes("9223372036854775808"), std::nullopt);
  EXPECT_EQ(parseQuantityBytes("8Ei"), std::nullopt);
  EXPECT_EQ(parseQuantityBytes("10E"), std::nullopt);
  EXPECT_EQ(parseQuantityBytes("1e19"), std::nullopt);
  EXPECT_EQ(parseQuantityBytes("99999999999999999999999999999999Ei"), std::nullopt);
  EXPECT_EQ(parseQuantityBytes(std::string(65, '1')), std::nullopt);
}

TEST(QuantityTest, FormatsTheShortestExactBinaryForm) {
  EXPECT_EQ(formatBytes(256 * kMi), "256Mi");
  EXPECT_EQ(formatBytes(3 * kGi / 2), "1.5Gi");
  EXPECT_EQ(formatBytes(kGi), "1Gi");
  EXPECT_EQ(formatBytes(1024), "1Ki");
  EXPECT_EQ(formatBytes(1536), "1536");
  EXPECT_EQ(formatBytes(129000000), "129000000");
  EXPECT_EQ(formatBytes(128974848), "123Mi");
  EXPECT_EQ(formatBytes(0), "0");
  EXPECT_EQ(formatBytes(-1), "-1");
}

TEST(QuantityTest, FormattedValuesParseBackToTheSameBytes) {
  for (const std::int64_t bytes :
       {std::int64_t{1}, std::int64_t{1000}, 3 * kGi / 2, 300 * kMi + 512, INT64_MAX, std::int64_t{1} << 62}) {
    EXPECT_EQ(parseQuantityBytes(formatBytes(bytes)), std::optional<std::int64_t>(bytes)) << formatBytes(bytes);
  }
}

}  // namespace
}  // namespace meshward::policies
