#include "webhook/cluster/yaml_to_json.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace meshward::cluster {
namespace {

Result<nlohmann::json> convert(const std::string& yaml, const YamlConversionLimits& limits = {}) {
  return yamlToJson(YAML::Load(yaml), limits);
}

nlohmann::json valueOf(const std::string& yaml_scalar) {
  Result<nlohmann::json> converted = convert("value: " + yaml_scalar);
  EXPECT_TRUE(converted.ok()) << yaml_scalar << ": " << converted.error();
  return converted.ok() ? (*converted)["value"] : nlohmann::json("<error>");
}

struct TypingCase {
  std::string yaml;
  nlohmann::json expected;
};

TEST(YamlToJson, TypesPlainScalarsByTheCoreSchema) {
  const std::vector<TypingCase> cases = {
      {"true", true},
      {"True", true},
      {"TRUE", true},
      {"false", false},
      {"FALSE", false},
      {"tRUE", "tRUE"},
      {"yes", "yes"},
      {"on", "on"},
      {"null", nullptr},
      {"Null", nullptr},
      {"NULL", nullptr},
      {"~", nullptr},
      {"", nullptr},
      {"nULL", "nULL"},
      {"0", 0},
      {"42", 42},
      {"-17", -17},
      {"+5", 5},
      {"0755", 755},
      {"0o17", 15},
      {"0o18", "0o18"},
      {"0x1F", 31},
      {"0xff", 255},
      {"0xg", "0xg"},
      {"-0x1F", "-0x1F"},
      {"9223372036854775807", INT64_MAX},
      {"-9223372036854775808", INT64_MIN},
      {"18446744073709551615", UINT64_MAX},
      {"1.5", 1.5},
      {"-0.25", -0.25},
      {".5", 0.5},
      {"1.", 1.0},
      {"1e3", 1000.0},
      {"2.5E-1", 0.25},
      {"+1.0e+2", 100.0},
      {"1e", "1e"},
      {"1e400", "1e400"},
      {".inf", ".inf"},
      {"-.Inf", "-.Inf"},
      {".NaN", ".NaN"},
      {"1_000", "1_000"},
      {"12:30", "12:30"},
      {"2024-01-01", "2024-01-01"},
      {"128Mi", "128Mi"},
      {"v1.2", "v1.2"},
      {"hello world", "hello world"},
  };
  for (const TypingCase& test_case : cases) {
    SCOPED_TRACE(test_case.yaml);
    const nlohmann::json actual = valueOf(test_case.yaml);
    EXPECT_EQ(actual, test_case.expected) << actual.dump();
    EXPECT_EQ(actual.type(), test_case.expected.type()) << actual.dump();
  }
}

TEST(YamlToJson, KeepsQuotedAndBlockScalarsAsStrings) {
  EXPECT_EQ(valueOf("\"true\""), "true");
  EXPECT_EQ(valueOf("'42'"), "42");
  EXPECT_EQ(valueOf("\"\""), "");
  EXPECT_EQ(valueOf("'null'"), "null");
  EXPECT_EQ(valueOf("|\n  line one\n  line two"), "line one\nline two");
  EXPECT_EQ(valueOf(">\n  folded\n  text"), "folded text");
}

TEST(YamlToJson, HonoursExplicitTags) {
  EXPECT_EQ(valueOf("!!str 42"), "42");
  EXPECT_EQ(valueOf("!!str true"), "true");
  EXPECT_EQ(valueOf("!!str null"), "null");
  EXPECT_EQ(valueOf("!!int \"7\""), 7);
  EXPECT_EQ(valueOf("!!float 3"), 3.0);
  EXPECT_TRUE(valueOf("!!float 3").is_number_float());
  EXPECT_EQ(valueOf("!!float .inf"), ".inf");
  EXPECT_EQ(valueOf("!!bool \"false\""), false);
  EXPECT_EQ(valueOf("!!null \"\""), nullptr);
  EXPECT_EQ(valueOf("!custom 12"), "12");
}

TEST(YamlToJson, RejectsValuesThatDoNotMatchTheirTag) {
  const Result<nlohmann::json> not_int = convert("a: 1\nb: !!int twelve\n");
  ASSERT_FALSE(not_int.ok());
  EXPECT_EQ(not_int.error(), "2:4: \"twelve\" is tagged !!int but is not an integer");
  EXPECT_FALSE(convert("b: !!bool yes").ok());
  EXPECT_FALSE(convert("b: !!float abc").ok());
}

TEST(YamlToJson, ConvertsNestedCollections) {
  const Result<nlohmann::json> converted = convert("metadata:\n  name: a\n  labels: {app: x}\nports: [80, \"443\"]\n");
  ASSERT_TRUE(converted.ok()) << converted.error();
  EXPECT_EQ(*converted, nlohmann::json::parse(R"({"metadata":{"name":"a","labels":{"app":"x"}},"ports":[80,"443"]})"));
}

TEST(YamlToJson, UsesScalarKeysAsWritten) {
  const Result<nlohmann::json> converted = convert("80: http\ntrue: yes\n~: nothing\n");
  ASSERT_TRUE(converted.ok()) << converted.error();
  EXPECT_EQ(*converted, nlohmann::json::parse(R"({"80":"http","true":"yes","null":"nothing"})"));
}

TEST(YamlToJson, RejectsNonScalarKeysWithTheirPosition) {
  const Result<nlohmann::json> converted = convert("ok: 1\n? [a, b]\n: 1\n");
  ASSERT_FALSE(converted.ok());
  EXPECT_EQ(converted.error(), "2:3: mapping key is not a scalar");
}

TEST(YamlToJson, RejectsDuplicateKeys) {
  const Result<nlohmann::json> converted = convert("name: a\nname: b\n");
  ASSERT_FALSE(converted.ok());
  EXPECT_EQ(converted.error(), "2:1: duplicate mapping key \"name\"");
}

TEST(YamlToJson, ExpandsAliases) {
  const Result<nlohmann::json> converted = convert("base: &labels {app: x}\ncopy: *labels\n");
  ASSERT_TRUE(converted.ok()) << converted.error();
  EXPECT_EQ((*converted)["copy"], (*converted)["base"]);
  EXPECT_EQ((*converted)["copy"]["app"], "x");
}

TEST(YamlToJson, StopsAtTheDepthLimit) {
  const YamlConversionLimits limits{.max_depth = 5, .max_values = 1000};
  EXPECT_TRUE(convert("[[[[[1]]]]]", limits).ok());
  const Result<nlohmann::json> too_deep = convert("[[[[[[1]]]]]]", limits);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(too_deep.error().find("nested more than 5 levels deep"), std::string::npos) << too_deep.error();
}

TEST(YamlToJson, DefaultDepthLimitIs200) {
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(convert(nested(200)).ok());
  EXPECT_FALSE(convert(nested(201)).ok());
}

TEST(YamlToJson, RejectsSelfReferencingAliasInsteadOfRecursingForever) {
  const Result<nlohmann::json> converted = convert("&loop [ *loop ]");
  ASSERT_FALSE(converted.ok());
  EXPECT_NE(converted.error().find("nested more than"), std::string::npos) << converted.error();
}

TEST(YamlToJson, RejectsAliasBombs) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char level = 'b'; level <= 'j'; ++level) {
    const char previous = static_cast<char>(level - 1);
    bomb += std::string(1, level) + ": &" + level + " [";
    for (int copy = 0; copy < 10; ++copy) {
      bomb += std::string(copy == 0 ? "" : ", ") + "*" + previous;
    }
    bomb += "]\n";
  }
  const Result<nlohmann::json> converted = convert(bomb);
  ASSERT_FALSE(converted.ok());
  EXPECT_NE(converted.error().find("values after expanding aliases"), std::string::npos) << converted.error();
}

}  // namespace
}  // namespace meshward::cluster
