#include "webhook/cluster/json_layout.h"

#include <gtest/gtest.h>

namespace meshward::cluster {
namespace {

TEST(JsonLayout, FindsTheLinesOfTopLevelItems) {
  const JsonLayout layout = scanJsonLayout(
      "{\n"
      "  \"kind\": \"List\",\n"
      "  \"metadata\": {\"items\": [1, 2]},\n"
      "  \"items\": [\n"
      "    {\"kind\": \"Pod\", \"note\": \"a ] and a , in \\\" a string\"},\n"
      "\n"
      "    {\"kind\": \"Service\",\n"
      "     \"items\": [3]}\n"
      "  ]\n"
      "}\n");
  EXPECT_EQ(layout.item_lines, (std::vector<int>{5, 7}));
  EXPECT_EQ(layout.max_depth, 4);
}

TEST(JsonLayout, ItemsThatAreNotObjectsStartWhereTheyAre) {
  const JsonLayout layout = scanJsonLayout("{\"items\": [\n\"a\\\"\",\n\n 7,\n [\"x\"]]}");
  EXPECT_EQ(layout.item_lines, (std::vector<int>{2, 4, 5}));
  EXPECT_EQ(layout.max_depth, 3);
}

TEST(JsonLayout, NoItemsWhenTheValueIsNotAnArray) {
  EXPECT_TRUE(scanJsonLayout(R"({"items": "none", "other": [{"a": 1}]})").item_lines.empty());
  EXPECT_TRUE(scanJsonLayout(R"({"items": []})").item_lines.empty());
  EXPECT_TRUE(scanJsonLayout(R"([{"items": [1]}])").item_lines.empty());
}

TEST(JsonLayout, MeasuresDepthOutsideStrings) {
  EXPECT_EQ(scanJsonLayout(R"({"a": "[[[[{{{{"})").max_depth, 1);
  EXPECT_EQ(scanJsonLayout(std::string(1000, '[') + std::string(1000, ']')).max_depth, 1000);
  EXPECT_EQ(scanJsonLayout("").max_depth, 0);
}

}  // namespace
}  // namespace meshward::cluster
