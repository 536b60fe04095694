#include "webhook/cli/rules_command.h"

#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "policies/registry.h"

namespace meshward::cli {
namespace {

struct RulesRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

RulesRun rules(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  RulesRun run;
  run.exit_code = runRulesCommand(args, out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

TEST(RulesCommand, JsonListsEveryRegisteredRuleInRegistryOrder) {
  const RulesRun run = rules({"-o", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json listed = nlohmann::json::parse(run.out);
  ASSERT_TRUE(listed["rules"].is_array());
  const auto& registered = policies::allRules();
  ASSERT_EQ(listed["rules"].size(), registered.size());
  for (size_t i = 0; i < registered.size(); ++i) {
    const policies::RuleMetadata& metadata = registered[i]->metadata();
    const nlohmann::json& rule = listed["rules"][i];
    SCOPED_TRACE(std::string(metadata.id));
    EXPECT_EQ(rule["id"], metadata.id);
    EXPECT_EQ(rule["type"], metadata.type == policies::RuleType::Validating ? "validating" : "mutating");
    EXPECT_EQ(rule["defaultAction"], policies::actionName(metadata.default_action));
    EXPECT_EQ(rule["description"], metadata.description);
    EXPECT_FALSE(rule["description"].get<std::string>().empty());
    ASSERT_EQ(rule["operations"].size(), metadata.operations.size());
    ASSERT_EQ(rule["kinds"].size(), metadata.kinds.size());
    ASSERT_FALSE(rule["kinds"].empty());
    for (size_t k = 0; k < metadata.kinds.size(); ++k) {
      const nlohmann::json& kind = rule["kinds"][k];
      EXPECT_EQ(kind["apiGroup"], metadata.kinds[k].group);
      EXPECT_EQ(kind["kind"], metadata.kinds[k].kind);
      EXPECT_EQ(kind["resource"], metadata.kinds[k].resource);
      EXPECT_EQ(kind["apiVersions"], nlohmann::json::array({"*"}));
    }
    ASSERT_EQ(rule["codes"].size(), metadata.codes.size());
    for (size_t c = 0; c < metadata.codes.size(); ++c) {
      EXPECT_EQ(rule["codes"][c]["code"], metadata.codes[c].code);
    }
    ASSERT_EQ(rule["parameters"].size(), metadata.parameters.size());
    for (size_t p = 0; p < metadata.parameters.size(); ++p) {
      const nlohmann::json& parameter = rule["parameters"][p];
      EXPECT_EQ(parameter["name"], metadata.parameters[p].name);
      EXPECT_EQ(parameter["default"], metadata.parameters[p].default_value);
      const std::set<std::string> types = {"action", "quantity", "duration", "integer", "bool", "string", "stringList"};
      EXPECT_EQ(types.count(parameter["type"].get<std::string>()), 1u) << parameter.dump();
    }
  }
}

TEST(RulesCommand, TextNamesEveryRule) {
  const RulesRun run = rules({});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const policies::Rule* rule : policies::allRules()) {
    const std::string id(rule->metadata().id);
    EXPECT_NE(run.out.find(id + " ("), std::string::npos) << id << " missing from\n" << run.out;
    for (const policies::MessageCode& code : rule->metadata().codes) {
      EXPECT_NE(run.out.find(std::string(code.code)), std::string::npos) << code.code;
    }
  }
}

TEST(RulesCommand, RejectsBadUsage) {
  EXPECT_EQ(rules({"-o", "yaml"}).exit_code, 2);
  EXPECT_EQ(rules({"extra"}).exit_code, 2);
  const RulesRun unknown = rules({"--bogus"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--bogus"), std::string::npos) << unknown.err;
  EXPECT_EQ(unknown.out, "");
}

}  // namespace
}  // namespace meshward::cli
