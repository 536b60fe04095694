#include "webhook/common/json_depth.h"

#include <string>

#include <gtest/gtest.h>

namespace meshward {
namespace {

TEST(JsonDepthTest, CountsNestingAndIgnoresBracketsInsideStrings) {
  EXPECT_TRUE(jsonDepthWithin(R"({"a":"[[[[[[[[[[[[\"[[["})", 2));
  EXPECT_TRUE(jsonDepthWithin("[[]]", 2));
  EXPECT_FALSE(jsonDepthWithin("[[[", 2));
  EXPECT_FALSE(jsonDepthWithin(R"({"a":{"b":[1]}})", 2));
  EXPECT_TRUE(jsonDepthWithin(R"({"a":{"b":[1]}})", 3));
}

TEST(JsonDepthTest, RefusesPathologicalNestingWithoutRecursing) {
  EXPECT_FALSE(jsonDepthWithin(std::string(100000, '[') + std::string(100000, ']'), 200));
  EXPECT_TRUE(jsonDepthWithin(std::string(100000, '"'), 1)) << "quotes only: no nesting at all";
}

}  // namespace
}  // namespace meshward
