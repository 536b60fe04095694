#include "policies/proxy_defaults/proxy_defaults_rule.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policies/proxy_defaults/proxy_config_merge.h"
#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::objectsFromYamlFile;
using test_support::RuleHarness;
using test_support::RuleRun;
using test_support::testdataPath;

using Codes = std::vector<std::string>;

constexpr std::string_view kDefaultsBlock =
    "holdApplicationUntilProxyStarts: true\nterminationDrainDuration: \"30s\"\n";

class ProxyDefaultsTest : public ::testing::Test {
 protected:
  ProxyDefaultsTest() : harness_(rule_) {
    harness_.withNamespace("production", {{"istio-injection", "enabled"}}).withNamespace("plain", {});
  }

  nlohmann::json fixture(const std::string& name) {
    const std::vector<nlohmann::json> objects = objectsFromYamlFile(testdataPath("proxy_defaults/" + name));
    EXPECT_EQ(objects.size(), 1u) << name;
    return objects.at(0);
  }

  // Applies the run's patches, then checks that the patched object needs no further patch and
  // that a Pod stamped out of the patched template needs none either.
  nlohmann::json applyAndCheckIdempotent(const nlohmann::json& object, const RuleRun& run, const std::string& what) {
    nlohmann::json patched;
    EXPECT_NO_THROW(patched = test_support::applyPatches(object, run)) << what << "\n" << run.patchDocument().dump(2);
    const RuleRun again = harness_.run(patched);
    EXPECT_TRUE(again.patches.empty()) << what << "\n" << again.patchDocument().dump(2);
    EXPECT_TRUE(again.findings.empty()) << what << "\n" << again.messages();
    const std::string kind = object.value("kind", "");
    if (kind != "Pod") {
      const nlohmann::json& pod_template = kind == "CronJob"
                                               ? patched.at("/spec/jobTemplate/spec/template"_json_pointer)
                                               : patched.at("/spec/template"_json_pointer);
      nlohmann::json pod = {{"apiVersion", "v1"},
                            {"kind", "Pod"},
                            {"metadata", pod_template.value("metadata", nlohmann::json::object())},
                            {"spec", pod_template.value("spec", nlohmann::json::object())}};
      pod["metadata"]["name"] = "stamped";
      const RuleRun stamped = harness_.run(
          pod, test_support::inNamespace(object.at("/metadata/namespace"_json_pointer).get<std::string>()));
      EXPECT_TRUE(stamped.patches.empty()) << what << "\n" << stamped.patchDocument().dump(2);
    }
    return patched;
  }

  std::string configOf(const nlohmann::json& object, const std::string& template_pointer) {
    return object.at(nlohmann::json::json_pointer(template_pointer + "/metadata/annotations"))
        .at("proxy.istio.io/config")
        .get<std::string>();
  }

  ProxyDefaultsRule rule_;
  RuleHarness harness_;
};

TEST_F(ProxyDefaultsTest, AddsTheAnnotationMapWhenTheTemplateHasNone) {
  const nlohmann::json object = fixture("no-annotations.yaml");
  const RuleRun run = harness_.run(object);
  EXPECT_TRUE(run.findings.empty()) << run.messages();
  const nlohmann::json expected = nlohmann::json::parse(R"([{"op": "add", "path": "/spec/template/metadata/annotations",
      "value": {"proxy.istio.io/config": "holdApplicationUntilProxyStarts: true\nterminationDrainDuration: \"30s\"\n"}}])");
  EXPECT_EQ(run.patchDocument(), expected);
  EXPECT_EQ(run.patches.at(0).rule, "proxy-defaults");
  const nlohmann::json patched = applyAndCheckIdempotent(object, run, "no-annotations");
  EXPECT_EQ(patched.at("/spec/template/metadata/labels/app"_json_pointer), "api");
}

TEST_F(ProxyDefaultsTest, AddsTheMetadataWhenTheTemplateHasNone) {
  const nlohmann::json object = fixture("no-template-metadata.yaml");
  const RuleRun run = harness_.run(object);
  const nlohmann::json expected = {{{"op", "add"},
                                    {"path", "/spec/template/metadata"},
                                    {"value", {{"annotations", {{"proxy.istio.io/config", kDefaultsBlock}}}}}}};
  EXPECT_EQ(run.patchDocument(), expected);
  applyAndCheckIdempotent(object, run, "no-template-metadata");
}

TEST_F(ProxyDefaultsTest, AddsOneAnnotationNextToOthersWithAnEscapedPath) {
  const nlohmann::json object = fixture("pod-other-annotations.yaml");
  const RuleRun run = harness_.run(object);
  const nlohmann::json expected = {
      {{"op", "add"}, {"path", "/metadata/annotations/proxy.istio.io~1config"}, {"value", kDefaultsBlock}}};
  EXPECT_EQ(run.patchDocument(), expected);
  const nlohmann::json patched = applyAndCheckIdempotent(object, run, "pod-other-annotations");
  EXPECT_EQ(patched.at("/metadata/annotations/team"_json_pointer), "payments");
}

TEST_F(ProxyDefaultsTest, MergesIntoExistingConfigKeepingTheUsersText) {
  struct Case {
    std::string file;
    std::string template_pointer;
    std::string merged;
  };
  const std::vector<Case> cases = {
      {"block-config.yaml", "/spec/template",
       "# long-lived connections\nterminationDrainDuration: 45s\nconcurrency: 2\nholdApplicationUntilProxyStarts: "
       "true\n"},
      {"flow-config.yaml", "/spec/template",
       "{ concurrency: 2, holdApplicationUntilProxyStarts: true, terminationDrainDuration: \"30s\" }"},
      {"json-config.yaml", "/spec/template",
       "{\"holdApplicationUntilProxyStarts\": false, \"terminationDrainDuration\": \"30s\"}"},
  };
  for (const Case& test : cases) {
    const nlohmann::json object = fixture(test.file);
    const RuleRun run = harness_.run(object);
    ASSERT_EQ(run.patches.size(), 1u) << test.file << "\n" << run.messages();
    EXPECT_EQ(run.patches[0].op, "replace") << test.file;
    EXPECT_EQ(run.patches[0].path, test.template_pointer + "/metadata/annotations/proxy.istio.io~1config");
    const nlohmann::json patched = applyAndCheckIdempotent(object, run, test.file);
    EXPECT_EQ(configOf(patched, test.template_pointer), test.merged) << test.file;
  }
}

TEST_F(ProxyDefaultsTest, LeavesCompleteConfigAndUnmeshedWorkloadsAlone) {
  for (const std::string file : {"complete-config.yaml", "no-sidecar.yaml", "linkerd-only.yaml"}) {
    const RuleRun run = harness_.run(fixture(file));
    EXPECT_TRUE(run.patches.empty()) << file << "\n" << run.patchDocument().dump();
    EXPECT_TRUE(run.findings.empty()) << file << "\n" << run.messages();
  }
}

TEST_F(ProxyDefaultsTest, WarnsAboutConfigItCannotRead) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"invalid-config.yaml", "the proxy.istio.io/config annotation is not valid YAML (line 1"},
      {"list-config.yaml", "the proxy.istio.io/config annotation is a list, not a map of ProxyConfig fields"},
  };
  for (const auto& [file, expected] : cases) {
    const RuleRun run = harness_.run(fixture(file));
    EXPECT_TRUE(run.patches.empty()) << file;
    ASSERT_EQ(run.codes(), Codes{"MW0201"}) << file;
    EXPECT_EQ(run.findings[0].action, Action::Warn);
    EXPECT_NE(run.findings[0].message.find("Deployment production/api: " + expected), std::string::npos)
        << run.findings[0].message;
  }
  harness_.settings().set("invalidConfigAction", Action::Audit);
  EXPECT_EQ(harness_.run(fixture("invalid-config.yaml")).findings.at(0).action, Action::Audit);
  harness_.settings().set("invalidConfigAction", Action::Off);
  EXPECT_TRUE(harness_.run(fixture("invalid-config.yaml")).findings.empty());
}

TEST_F(ProxyDefaultsTest, WarnAndAuditModesSayWhatWouldBeSetWithoutPatching) {
  for (const Action action : {Action::Warn, Action::Audit}) {
    harness_.settings().action = action;
    const RuleRun run = harness_.run(fixture("block-config.yaml"));
    EXPECT_TRUE(run.patches.empty());
    ASSERT_EQ(run.codes(), Codes{"MW0202"});
    EXPECT_EQ(run.findings[0].action, action);
    EXPECT_EQ(run.findings[0].message,
              "StatefulSet production/db: the istio-proxy sidecar will run without holdApplicationUntilProxyStarts: "
              "true; the application can start before Envoy is ready and its first outbound calls fail. Add them "
              "to the proxy.istio.io/config annotation on the pod template.");
  }
}

TEST_F(ProxyDefaultsTest, ParametersChooseTheFields) {
  harness_.settings().set("holdApplicationUntilProxyStarts", false);
  harness_.settings().set("terminationDrainDuration", std::string("1m"));
  RuleRun run = harness_.run(fixture("pod-other-annotations.yaml"));
  ASSERT_EQ(run.patches.size(), 1u);
  EXPECT_EQ(run.patches[0].value, "terminationDrainDuration: \"1m\"\n");

  harness_.settings().set("terminationDrainDuration", std::string());
  run = harness_.run(fixture("pod-other-annotations.yaml"));
  EXPECT_TRUE(run.patches.empty());
}

TEST_F(ProxyDefaultsTest, WrongTypesNeverThrow) {
  const std::vector<std::pair<std::string, Codes>> cases = {
      {"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: production, annotations: {proxy.istio.io/config: "
       "5}}\n",
       {"MW0201"}},
      {"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: production, annotations: [1]}\n", {}},
      {"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: production, annotations: null}\n", {}},
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: production}\nspec: {template: {metadata: "
       "5}}\n",
       {}},
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: production}\nspec: {template: {metadata: "
       "null}}\n",
       {}},
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: production}\nspec: {template: 5}\n", {}},
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: production}\n", {}},
      {"kind: 5\n", {}},
      {"[]", {}},
  };
  for (const auto& [yaml, codes] : cases) {
    RuleRun run;
    const nlohmann::json object = test_support::objectFromYaml(yaml);
    ASSERT_NO_THROW(run = harness_.run(object)) << yaml;
    EXPECT_EQ(run.codes(), codes) << yaml << "\n" << run.messages();
    if (!run.patches.empty()) {
      applyAndCheckIdempotent(object, run, yaml);
    }
  }
}

TEST_F(ProxyDefaultsTest, MetadataDeclaresWhatTheRuleReads) {
  const RuleMetadata& metadata = rule_.metadata();
  EXPECT_EQ(metadata.id, "proxy-defaults");
  EXPECT_EQ(metadata.type, RuleType::Mutating);
  EXPECT_EQ(metadata.default_action, Action::Mutate);
  EXPECT_TRUE(metadata.appliesTo("apps", "StatefulSet", "CREATE"));
  EXPECT_FALSE(metadata.appliesTo("apps", "StatefulSet", "DELETE"));
}

TEST_F(ProxyDefaultsTest, CorpusWorkloadsGetPatchesThatApplyAndAreIdempotent) {
  int patched_objects = 0;
  for (const test_support::CorpusObject& entry : test_support::injectionCorpus()) {
    const nlohmann::json& object = entry.object;
    if (!harness_.appliesTo(object)) {
      continue;
    }
    for (const std::string namespace_name : {"production", "plain"}) {
      RuleRun run;
      ASSERT_NO_THROW(run = harness_.run(object, test_support::inNamespace(namespace_name))) << entry.file;
      for (const Finding& finding : run.findings) {
        ADD_FAILURE() << entry.file << ": " << finding.message;
      }
      if (run.patches.empty()) {
        continue;
      }
      ++patched_objects;
      nlohmann::json patched;
      ASSERT_NO_THROW(patched = test_support::applyPatches(object, run)) << entry.file << "\n"
                                                                         << run.patchDocument().dump(2);
      const RuleRun again = harness_.run(patched, test_support::inNamespace(namespace_name));
      EXPECT_TRUE(again.patches.empty()) << entry.file << "\n" << again.patchDocument().dump(2);
    }
  }
  EXPECT_GT(patched_objects, 50);
}

TEST(ProxyConfigMergeTest, KeepsLayoutAndQuoting) {
  const std::vector<ProxyConfigField> fields = {
      {"holdApplicationUntilProxyStarts", "hold_application_until_proxy_starts", true},
      {"terminationDrainDuration", "termination_drain_duration", "30s"}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "holdApplicationUntilProxyStarts: true\nterminationDrainDuration: \"30s\"\n"},
      {"# nothing yet\n", "# nothing yet\nholdApplicationUntilProxyStarts: true\nterminationDrainDuration: \"30s\"\n"},
      {"concurrency: 2", "concurrency: 2\nholdApplicationUntilProxyStarts: true\nterminationDrainDuration: \"30s\"\n"},
      {"  concurrency: 2\n  tracing:\n    sampling: 10\n",
       "  concurrency: 2\n  tracing:\n    sampling: 10\n  holdApplicationUntilProxyStarts: true\n  "
       "terminationDrainDuration: \"30s\"\n"},
      {"{}", "{\"holdApplicationUntilProxyStarts\": true, \"terminationDrainDuration\": \"30s\"}"},
      {"{a: 1,}", "{a: 1, holdApplicationUntilProxyStarts: true, terminationDrainDuration: \"30s\"}"},
      {"{\n  \"concurrency\": 2\n}\n",
       "{\n  \"concurrency\": 2,\n  \"holdApplicationUntilProxyStarts\": true,\n  \"terminationDrainDuration\": "
       "\"30s\"\n}\n"},
      {"{a: \"x}y\", b: 'it''s}'} # done }",
       "{a: \"x}y\", b: 'it''s}', holdApplicationUntilProxyStarts: true, terminationDrainDuration: \"30s\"} # done }"},
      {"{a: 1 # note\n}", "{a: 1 # note\n, holdApplicationUntilProxyStarts: true, terminationDrainDuration: \"30s\"}"},
      {"{a: don't}", "{a: don't, holdApplicationUntilProxyStarts: true, terminationDrainDuration: \"30s\"}"},
      {"--- {a: 1}", "--- {a: 1, holdApplicationUntilProxyStarts: true, terminationDrainDuration: \"30s\"}"},
      {"---\n{a: [1, {b: 2}]}\n",
       "---\n{a: [1, {b: 2}], holdApplicationUntilProxyStarts: true, terminationDrainDuration: \"30s\"}\n"},
  };
  for (const auto& [text, merged] : cases) {
    const ProxyConfigMerge result = mergeProxyConfig(text, fields);
    EXPECT_EQ(result.outcome, ProxyConfigMerge::Outcome::Merged) << text << ": " << result.problem;
    EXPECT_EQ(result.text, merged) << text;
    EXPECT_EQ(mergeProxyConfig(result.text, fields).outcome, ProxyConfigMerge::Outcome::Unchanged) << result.text;
  }
}

TEST(ProxyConfigMergeTest, UserValuesWinUnderEitherName) {
  const std::vector<ProxyConfigField> fields = {
      {"holdApplicationUntilProxyStarts", "hold_application_until_proxy_starts", true}};
  for (const std::string text : {"holdApplicationUntilProxyStarts: false", "hold_application_until_proxy_starts: no",
                                 "{holdApplicationUntilProxyStarts: }", "holdApplicationUntilProxyStarts:"}) {
    EXPECT_EQ(mergeProxyConfig(text, fields).outcome, ProxyConfigMerge::Outcome::Unchanged) << text;
  }
}

TEST(ProxyConfigMergeTest, RefusesWhatItCannotExtendSafely) {
  const std::vector<ProxyConfigField> fields = {
      {"holdApplicationUntilProxyStarts", "hold_application_until_proxy_starts", true}};
  EXPECT_EQ(mergeProxyConfig("a: [1", fields).outcome, ProxyConfigMerge::Outcome::InvalidYaml);
  EXPECT_EQ(mergeProxyConfig("{a: 1", fields).outcome, ProxyConfigMerge::Outcome::InvalidYaml);
  EXPECT_EQ(mergeProxyConfig("true", fields).outcome, ProxyConfigMerge::Outcome::NotAMap);
  EXPECT_EQ(mergeProxyConfig("[a]", fields).outcome, ProxyConfigMerge::Outcome::NotAMap);
  EXPECT_EQ(mergeProxyConfig("a: 1\n...\n", fields).outcome, ProxyConfigMerge::Outcome::CannotMerge);
  EXPECT_EQ(mergeProxyConfig("!!map {a: 1}", fields).outcome, ProxyConfigMerge::Outcome::CannotMerge);
  const ProxyConfigMerge deep = mergeProxyConfig(std::string(100000, '[') + std::string(100000, ']'), fields);
  EXPECT_EQ(deep.outcome, ProxyConfigMerge::Outcome::InvalidYaml);
  EXPECT_EQ(deep.problem, "nested too deeply");
}

TEST_F(ProxyDefaultsTest, ConfigItCannotExtendIsReportedWithTheInvalidConfigAction) {
  nlohmann::json object = fixture("no-annotations.yaml");
  object["spec"]["template"]["metadata"]["annotations"] = {{"proxy.istio.io/config", "concurrency: 2\n...\n"}};
  const RuleRun run = harness_.run(object);
  EXPECT_TRUE(run.patches.empty());
  ASSERT_EQ(run.codes(), Codes{"MW0202"});
  EXPECT_EQ(run.findings[0].action, Action::Warn);
  EXPECT_NE(run.findings[0].message.find("Add them to the annotation by hand."), std::string::npos);
}

}  // namespace
}  // namespace meshward::policies
