#include "policies/rollout_strategy/rollout_strategy_rule.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policies/rollout_strategy/int_or_percent.h"
#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::RuleHarness;
using test_support::RuleRun;

class RolloutStrategyTest : public ::testing::Test {
 protected:
  RolloutStrategyTest() : harness_(rule_) {
    harness_.withNamespace("production", {{"istio-injection", "enabled"}}).withNamespace("plain", {});
  }

  nlohmann::json fixture(const std::string& name) {
    const std::vector<nlohmann::json> objects =
        test_support::objectsFromYamlFile(test_support::testdataPath("rollout_strategy/" + name));
    EXPECT_EQ(objects.size(), 1u) << name;
    return objects.at(0);
  }

  // The rolling update after applying the run's patches; also checks that evaluating the
  // patched Deployment again asks for nothing more.
  nlohmann::json rollingUpdateAfter(const nlohmann::json& object, const RuleRun& run, const std::string& what) {
    nlohmann::json patched;
    EXPECT_NO_THROW(patched = test_support::applyPatches(object, run)) << what << "\n" << run.patchDocument().dump();
    const RuleRun again = harness_.run(patched);
    EXPECT_TRUE(again.patches.empty()) << what << "\n" << again.patchDocument().dump();
    return patched.at("/spec/strategy/rollingUpdate"_json_pointer);
  }

  RolloutStrategyRule rule_;
  RuleHarness harness_;
};

TEST_F(RolloutStrategyTest, FixturesGetTheExpectedPatches) {
  struct Case {
    std::string file;
    nlohmann::json patch;
    nlohmann::json rolling_update_after;
  };
  const std::vector<Case> cases = {
      {"no-strategy.yaml",
       R"([{"op": "add", "path": "/spec/strategy", "value": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}}])"_json,
       R"({"maxSurge": 1, "maxUnavailable": 0})"_json},
      {"defaulted-by-api-server.yaml",
       R"([{"op": "replace", "path": "/spec/strategy/rollingUpdate/maxUnavailable", "value": 0},
           {"op": "replace", "path": "/spec/strategy/rollingUpdate/maxSurge", "value": 1}])"_json,
       R"({"maxSurge": 1, "maxUnavailable": 0})"_json},
      {"user-chose-surge.yaml",
       R"([{"op": "add", "path": "/spec/strategy/rollingUpdate/maxUnavailable", "value": 0}])"_json,
       R"({"maxSurge": 3, "maxUnavailable": 0})"_json},
      {"linkerd.yaml",
       R"([{"op": "add", "path": "/spec/strategy/rollingUpdate/maxUnavailable", "value": 0},
           {"op": "add", "path": "/spec/strategy/rollingUpdate/maxSurge", "value": 1}])"_json,
       R"({"maxSurge": 1, "maxUnavailable": 0})"_json},
  };
  for (const Case& test : cases) {
    const nlohmann::json object = fixture(test.file);
    const RuleRun run = harness_.run(object);
    EXPECT_TRUE(run.findings.empty()) << test.file << "\n" << run.messages();
    EXPECT_EQ(run.patchDocument(), test.patch) << test.file;
    EXPECT_EQ(rollingUpdateAfter(object, run, test.file), test.rolling_update_after) << test.file;
  }
}

TEST_F(RolloutStrategyTest, FixturesLeftAlone) {
  for (const std::string file :
       {"user-chose-both.yaml", "user-surge-zero.yaml", "recreate.yaml", "already-safe.yaml", "no-sidecar.yaml"}) {
    const RuleRun run = harness_.run(fixture(file));
    EXPECT_TRUE(run.patches.empty()) << file << "\n" << run.patchDocument().dump();
    EXPECT_TRUE(run.findings.empty()) << file << "\n" << run.messages();
  }
}

TEST_F(RolloutStrategyTest, TwentyFivePercentWithoutEvidenceCountsAsTheUsers) {
  nlohmann::json object = fixture("defaulted-by-api-server.yaml");
  object["metadata"].erase("annotations");
  EXPECT_TRUE(harness_.run(object).patches.empty());

  object["metadata"]["annotations"] = {{"kubectl.kubernetes.io/last-applied-configuration", "{not json"}};
  EXPECT_TRUE(harness_.run(object).patches.empty());

  object["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
      R"({"spec":{"strategy":{"rollingUpdate":{"maxUnavailable":"25%"}}}})";
  const RuleRun run = harness_.run(object);
  EXPECT_EQ(run.patchDocument(),
            R"([{"op": "replace", "path": "/spec/strategy/rollingUpdate/maxSurge", "value": 1}])"_json);
}

TEST_F(RolloutStrategyTest, NeverMakesBothFieldsZero) {
  nlohmann::json object = fixture("user-chose-surge.yaml");
  object["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = "0%";
  EXPECT_TRUE(harness_.run(object).patches.empty());

  object["spec"]["strategy"]["rollingUpdate"] = {{"maxUnavailable", 0}};
  harness_.settings().set("maxSurge", std::string("0"));
  EXPECT_TRUE(harness_.run(object).patches.empty());
}

TEST_F(RolloutStrategyTest, ParametersChooseTheValues) {
  harness_.settings().set("maxSurge", std::string("50%"));
  harness_.settings().set("maxUnavailable", std::string());
  const nlohmann::json object = fixture("no-strategy.yaml");
  const RuleRun run = harness_.run(object);
  EXPECT_EQ(run.patchDocument(),
            R"([{"op": "add", "path": "/spec/strategy", "value": {"rollingUpdate": {"maxSurge": "50%"}}}])"_json);
  EXPECT_EQ(rollingUpdateAfter(object, run, "params"), R"({"maxSurge": "50%"})"_json);
}

TEST_F(RolloutStrategyTest, AValueThatIsNeitherANumberNorAPercentageFailsTheLoad) {
  policies::RuleSettings settings = harness_.settings();
  settings.set("maxUnavailable", std::string("not-a-number"));
  const auto refused = policies::RolloutStrategyRule().configure(settings);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("maxUnavailable: 'not-a-number'"), std::string::npos) << refused.error();
  settings.set("maxUnavailable", std::string("10%"));
  EXPECT_TRUE(policies::RolloutStrategyRule().configure(settings).ok());
}

TEST_F(RolloutStrategyTest, WarnAndAuditModesSayWhatWouldBeSet) {
  for (const Action action : {Action::Warn, Action::Audit}) {
    harness_.settings().action = action;
    const RuleRun run = harness_.run(fixture("no-strategy.yaml"));
    EXPECT_TRUE(run.patches.empty());
    ASSERT_EQ(run.findings.size(), 1u);
    EXPECT_EQ(run.findings[0].code, "MW0301");
    EXPECT_EQ(run.findings[0].action, action);
    EXPECT_EQ(run.findings[0].message,
              "Deployment production/api: a rolling update may stop serving pods before their replacements and the "
              "replacements' sidecars are ready, dropping mesh traffic. Set "
              "spec.strategy.rollingUpdate.maxUnavailable: 0 and maxSurge: 1.");
  }
}

TEST_F(RolloutStrategyTest, WrongTypesNeverThrow) {
  const std::string head = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: production}\n";
  const std::string pod = "template: {metadata: {labels: {a: b}}}";
  const std::vector<std::string> left_alone = {
      "spec: 5",
      "spec: []",
      "spec: {strategy: 5, " + pod + "}",
      "spec: {strategy: {type: 5}, " + pod + "}",
      "spec: {strategy: {type: Recreate, rollingUpdate: {}}, " + pod + "}",
      "spec: {strategy: {rollingUpdate: [1]}, " + pod + "}",
      "spec: {strategy: {rollingUpdate: {maxSurge: {a: 1}, maxUnavailable: [1]}}, " + pod + "}",
      "spec: {template: 5}",
  };
  for (const std::string& spec : left_alone) {
    RuleRun run;
    ASSERT_NO_THROW(run = harness_.runYaml(head + spec + "\n")) << spec;
    EXPECT_TRUE(run.patches.empty()) << spec << "\n" << run.patchDocument().dump();
  }
  const std::vector<std::string> null_means_absent = {
      "spec: {strategy: null, " + pod + "}",
      "spec: {strategy: {rollingUpdate: null}, " + pod + "}",
      "spec: {strategy: {type: null, rollingUpdate: {maxSurge: null}}, " + pod + "}",
  };
  for (const std::string& spec : null_means_absent) {
    const nlohmann::json object = test_support::objectFromYaml(head + spec + "\n");
    const RuleRun run = harness_.run(object);
    ASSERT_FALSE(run.patches.empty()) << spec;
    EXPECT_EQ(rollingUpdateAfter(object, run, spec), R"({"maxSurge": 1, "maxUnavailable": 0})"_json) << spec;
  }
}

TEST_F(RolloutStrategyTest, MetadataDeclaresWhatTheRuleReads) {
  const RuleMetadata& metadata = rule_.metadata();
  EXPECT_EQ(metadata.id, "rollout-strategy");
  EXPECT_EQ(metadata.type, RuleType::Mutating);
  EXPECT_TRUE(metadata.appliesTo("apps", "Deployment", "UPDATE"));
  EXPECT_FALSE(metadata.appliesTo("apps", "StatefulSet", "CREATE"));
  EXPECT_FALSE(metadata.appliesTo("", "Pod", "CREATE"));
}

TEST(IntOrPercentTest, ParsesCountsAndPercentages) {
  EXPECT_EQ(parseIntOrPercent("0"), nlohmann::json(0));
  EXPECT_EQ(parseIntOrPercent("12"), nlohmann::json(12));
  EXPECT_EQ(parseIntOrPercent("25%"), nlohmann::json("25%"));
  for (const std::string text : {"", "%", "-1", "1.5", "a%", "1%%", " 1", "1234567890"}) {
    EXPECT_EQ(parseIntOrPercent(text), std::nullopt) << text;
  }
  EXPECT_TRUE(isZeroIntOrPercent(0));
  EXPECT_TRUE(isZeroIntOrPercent("0%"));
  EXPECT_FALSE(isZeroIntOrPercent("0"));
  EXPECT_FALSE(isZeroIntOrPercent(1));
  EXPECT_FALSE(isZeroIntOrPercent("10%"));
  EXPECT_FALSE(isZeroIntOrPercent(nullptr));
}

}  // namespace
}  // namespace meshward::policies
