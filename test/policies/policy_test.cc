#include "policies/policy.h"

#include <gtest/gtest.h>

#include "policies/registry.h"

namespace meshward::policies {
namespace {

TEST(PolicyTest, BuiltInDefaultIsTheRepositoryFileAndLoads) {
  auto policy = loadBuiltInPolicy();
  ASSERT_TRUE(policy.ok()) << policy.error();
  auto from_file = loadPolicyFile(std::string(MESHWARD_SOURCE_DIR) + "/policies/default.yaml");
  ASSERT_TRUE(from_file.ok()) << from_file.error();
  EXPECT_EQ(policy->hash, from_file->hash);
  EXPECT_EQ(policy->mesh.root_namespace, "istio-system");
  EXPECT_EQ(policy->break_glass.allowed_groups, std::vector<std::string>{"system:masters"});
  EXPECT_TRUE(policy->isIgnoredNamespace("kube-system"));
  EXPECT_FALSE(policy->isIgnoredNamespace("default"));
}

TEST(PolicyTest, DefaultYamlMentionsEveryRuleAndEveryParameter) {
  const std::string text(builtInDefaultPolicy());
  for (const Rule* rule : allRules()) {
    const RuleMetadata& metadata = rule->metadata();
    EXPECT_NE(text.find("  " + std::string(metadata.id) + ":\n"), std::string::npos) << metadata.id;
    for (const ParamSpec& spec : metadata.parameters) {
      EXPECT_NE(text.find("    " + std::string(spec.name) + ":"), std::string::npos) << metadata.id << "." << spec.name;
    }
  }
}

TEST(PolicyTest, DefaultYamlValuesEqualTheRulesDeclaredDefaults) {
  auto policy = loadBuiltInPolicy();
  ASSERT_TRUE(policy.ok()) << policy.error();
  for (const Rule* rule : allRules()) {
    const RuleSettings declared = defaultSettings(*rule);
    const RuleSettings& shipped = policy->settingsFor(rule->metadata().id);
    EXPECT_EQ(shipped.action, declared.action) << rule->metadata().id;
    EXPECT_EQ(shipped.values(), declared.values()) << rule->metadata().id;
  }
}

TEST(PolicyTest, RulesAbsentFromTheFileGetTheirDefaults) {
  auto policy = parsePolicy("meshRootNamespace: mesh-root\n", "p.yaml");
  ASSERT_TRUE(policy.ok()) << policy.error();
  EXPECT_EQ(policy->mesh.root_namespace, "mesh-root");
  for (const Rule* rule : allRules()) {
    EXPECT_EQ(policy->settingsFor(rule->metadata().id).action, rule->metadata().default_action);
  }
}

TEST(PolicyTest, APolicyThatIsNotUtf8IsRefusedAtItsFirstBadByte) {
  const auto policy = parsePolicy("apiVersion: meshward.dev/v1alpha1\nkind: Policy\nmeshRootNamespace: caf\xE9\n",
                                  "policy.yaml");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error(), "policy.yaml:3:23: not UTF-8 (byte 0xE9): a policy is UTF-8 text");
}

TEST(PolicyTest, ParsesActionsAndParameters) {
  auto policy = parsePolicy(R"(rules:
  sidecar-memory:
    action: warn
    minProxyMemoryLimit: 0.5Gi
  proxy-defaults:
    action: audit
    terminationDrainDuration: 1m30s
breakGlass:
  allowedUsers: [carol]
  allowedGroups: []
  maxDuration: 4h30m
)",
                            "p.yaml");
  ASSERT_TRUE(policy.ok()) << policy.error();
  EXPECT_EQ(policy->settingsFor("sidecar-memory").action, Action::Warn);
  EXPECT_EQ(policy->settingsFor("sidecar-memory").quantityBytes("minProxyMemoryLimit"), 512 * 1024 * 1024);
  EXPECT_EQ(policy->settingsFor("proxy-defaults").text("terminationDrainDuration"), "1m30s");
  EXPECT_EQ(policy->break_glass.allowed_users, std::vector<std::string>{"carol"});
  EXPECT_TRUE(policy->break_glass.allowed_groups.empty());
  EXPECT_EQ(policy->break_glass.max_duration, std::chrono::minutes(270));
}

TEST(PolicyTest, ErrorsNameTheFileLineAndWhatIsWrong) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"rules:\n  no-such-rule: {}\n", "p.yaml:2:3: unknown rule 'no-such-rule'"},
      {"colour: blue\n", "p.yaml:1:1: unknown key 'colour'"},
      {"rules:\n  sidecar-memory:\n    action: block\n", "p.yaml:3:13: rules.sidecar-memory.action must be one of deny"},
      {"rules:\n  proxy-defaults:\n    action: deny\n", "p.yaml:3:13: rules.proxy-defaults.action must be one of mutate"},
      {"rules:\n  sidecar-memory:\n    minProxyMemoryLimit: lots\n", "p.yaml:3:26: rules.sidecar-memory.minProxyMemoryLimit must be a Kubernetes quantity"},
      {"rules:\n  sidecar-memory:\n    maxMemory: 1Gi\n", "p.yaml:3:5: unknown setting 'maxMemory'"},
      {"rules:\n  proxy-defaults:\n    terminationDrainDuration: soon\n", "must be a duration"},
      {"breakGlass:\n  enabled: maybe\n", "p.yaml:2:12: breakGlass.enabled must be true or false"},
      {"breakGlass:\n  allowedGroups: system:masters\n", "p.yaml:2:18: breakGlass.allowedGroups must be a list"},
      {"breakGlass:\n  maxDuration: forever\n", "p.yaml:2:16: breakGlass.maxDuration must be a duration from 1m to 168h"},
      {"breakGlass:\n  maxDuration: 30d\n", "p.yaml:2:16: breakGlass.maxDuration must be a duration"},
      {"breakGlass:\n  maxDuration: 200h\n", "p.yaml:2:16: breakGlass.maxDuration must be a duration from 1m to 168h"},
      {"ignoredNamespaces: [a, b]\nignoredNamespaces: [c]\n", "p.yaml:2:1: duplicate key 'ignoredNamespaces'"},
      {"rules: [a]\n", "p.yaml:1:8: rules must be a mapping"},
      {"kind: Deployment\n", "kind must be Policy"},
      {"rules:\n  sidecar-memory: {action: deny\n", "p.yaml:"},
      {"- a\n- b\n", "the policy must be a mapping"},
      {"rules:\n  change-governance:\n    windows:\n      - \"Mon-Fri 09:00-17:00 UTC\"\n      - \"Sat 25:00-02:00 UTC\"\n",
       "p.yaml:5:9: rules.change-governance.windows[1]: '25:00-02:00' is not a time range"},
      {"rules:\n  change-governance:\n    windows: [\"Mon 09:00-10:00 Europe/Atlantis\"]\n",
       "p.yaml:3:15: rules.change-governance.windows[0]: unknown time zone 'Europe/Atlantis'"},
      {"rules:\n  change-governance:\n    meshWideOwners: [group:sre, platform-team]\n",
       "p.yaml:3:33: rules.change-governance.meshWideOwners[1]: 'platform-team' must be user:NAME or group:NAME"},
      {"rules:\n  change-governance:\n    injectionOwners: [\"user:\"]\n",
       "rules.change-governance.injectionOwners[0]: 'user:' names nobody"},
  };
  for (const auto& [text, expected] : cases) {
    auto policy = parsePolicy(text, "p.yaml");
    ASSERT_FALSE(policy.ok()) << text;
    EXPECT_NE(policy.error().find(expected), std::string::npos) << "got: " << policy.error();
  }
}

TEST(PolicyTest, MissingFileIsAnErrorValue) {
  auto policy = loadPolicyFile("/nonexistent/policy.yaml");
  ASSERT_FALSE(policy.ok());
  EXPECT_NE(policy.error().find("/nonexistent/policy.yaml"), std::string::npos);
}

}  // namespace
}  // namespace meshward::policies
