#include "policies/sidecar_memory/sidecar_memory_rule.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::objectFromYaml;
using test_support::objectsFromYamlFile;
using test_support::RuleHarness;
using test_support::RuleRun;
using test_support::testdataPath;

using Codes = std::vector<std::string>;

class SidecarMemoryTest : public ::testing::Test {
 protected:
  SidecarMemoryTest() : harness_(rule_) {
    harness_.withNamespace("production", {{"istio-injection", "enabled"}})
        .withNamespace("plain", {})
        .withNamespace("canary", {{"istio.io/rev", "1-22"}})
        .withNamespace("disabled", {{"istio-injection", "disabled"}, {"istio.io/rev", "1-22"}})
        .withNamespace("linkerd", {},
                       {{"linkerd.io/inject", "enabled"}, {"config.linkerd.io/proxy-memory-limit", "96Mi"}});
  }

  RuleRun runFixture(const std::string& name) {
    const std::vector<nlohmann::json> objects = objectsFromYamlFile(testdataPath("sidecar_memory/" + name));
    EXPECT_EQ(objects.size(), 1u) << name;
    return harness_.run(objects.at(0));
  }

  SidecarMemoryRule rule_;
  RuleHarness harness_;
};

// A Deployment in `namespace_name` whose pod template has `template_metadata` and one app
// container with a 512Mi limit.
std::string deployment(const std::string& namespace_name, const std::string& template_metadata) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: " + namespace_name +
         "}\nspec:\n  template:\n    metadata: " + template_metadata +
         "\n    spec:\n      containers:\n        - name: api\n          resources: {limits: {memory: 512Mi}}\n";
}

TEST_F(SidecarMemoryTest, FixturesProduceTheExpectedFindings) {
  const std::vector<std::pair<std::string, Codes>> cases = {
      {"istio-limit-too-low.yaml", {"MW0101"}},
      {"istio-limit-ok.yaml", {}},
      {"istio-request-too-low.yaml", {"MW0102"}},
      {"istio-cpu-annotation-only.yaml", {}},
      {"injected-pod-too-low.yaml", {"MW0101", "MW0102"}},
      {"injected-pod-ok.yaml", {}},
      {"native-sidecar-too-low.yaml", {"MW0101"}},
      {"invalid-quantity.yaml", {"MW0104"}},
      {"app-container-without-limit.yaml", {"MW0103"}},
      {"linkerd-limit-too-low.yaml", {"MW0101", "MW0102"}},
      {"linkerd-defaults.yaml", {}},
      {"no-sidecar.yaml", {}},
      {"opted-out.yaml", {}},
  };
  for (const auto& [file, codes] : cases) {
    const RuleRun run = runFixture(file);
    EXPECT_EQ(run.codes(), codes) << file << "\n" << run.messages();
    EXPECT_TRUE(run.patches.empty()) << file;
  }
}

TEST_F(SidecarMemoryTest, LimitMessageNamesTheValueTheMinimumAndTheFix) {
  const RuleRun run = runFixture("istio-limit-too-low.yaml");
  ASSERT_EQ(run.findings.size(), 1u);
  EXPECT_EQ(run.findings[0].action, Action::Deny);
  EXPECT_EQ(run.findings[0].rule, "sidecar-memory");
  EXPECT_EQ(run.findings[0].message,
            "Deployment production/api: the istio-proxy sidecar's memory limit 128Mi (annotation "
            "sidecar.istio.io/proxyMemoryLimit) is below the 256Mi minimum; Envoy sidecars use 150-300 MB and will "
            "be OOMKilled. Set the annotation sidecar.istio.io/proxyMemoryLimit: \"256Mi\" (or more) on the pod "
            "template.");
}

TEST_F(SidecarMemoryTest, ContainerValuesAreFixedOnTheContainer) {
  const RuleRun run = runFixture("injected-pod-too-low.yaml");
  ASSERT_EQ(run.findings.size(), 2u) << run.messages();
  EXPECT_NE(run.findings[0].message.find("Pod plain/api-7d9f-abcde: the istio-proxy sidecar's memory limit 128Mi "
                                         "(resources.limits.memory of the istio-proxy container)"),
            std::string::npos)
      << run.findings[0].message;
  EXPECT_NE(run.findings[0].message.find("Set resources.limits.memory: \"256Mi\" (or more) on the istio-proxy "
                                         "container."),
            std::string::npos)
      << run.findings[0].message;
  EXPECT_NE(run.findings[1].message.find("memory request 40Mi"), std::string::npos) << run.findings[1].message;
}

TEST_F(SidecarMemoryTest, InvalidQuantityIsQuoted) {
  const RuleRun run = runFixture("invalid-quantity.yaml");
  ASSERT_EQ(run.findings.size(), 1u);
  EXPECT_EQ(run.findings[0].action, Action::Deny);
  EXPECT_NE(run.findings[0].message.find("annotation sidecar.istio.io/proxyMemoryLimit is 'lots'"), std::string::npos)
      << run.findings[0].message;
}

TEST_F(SidecarMemoryTest, AppContainerWarningUsesItsOwnAction) {
  RuleRun run = runFixture("app-container-without-limit.yaml");
  ASSERT_EQ(run.findings.size(), 1u);
  EXPECT_EQ(run.findings[0].action, Action::Warn);
  EXPECT_NE(run.findings[0].message.find("container \"worker\" has no memory limit"), std::string::npos)
      << run.findings[0].message;

  harness_.settings().set("appContainerWithoutLimitAction", Action::Audit);
  run = runFixture("app-container-without-limit.yaml");
  ASSERT_EQ(run.findings.size(), 1u);
  EXPECT_EQ(run.findings[0].action, Action::Audit);

  harness_.settings().set("appContainerWithoutLimitAction", Action::Off);
  EXPECT_TRUE(runFixture("app-container-without-limit.yaml").findings.empty());
}

TEST_F(SidecarMemoryTest, MeshDefaultsApplyWhenThePodSetsNothing) {
  const std::string plain_template = deployment("production", "{labels: {app: api}}");
  EXPECT_TRUE(harness_.runYaml(plain_template).findings.empty());

  harness_.settings().set("istioDefaultProxyMemoryLimit", OptionalBytes{std::int64_t{128} * 1024 * 1024});
  const RuleRun run = harness_.runYaml(plain_template);
  ASSERT_EQ(run.codes(), Codes{"MW0101"}) << run.messages();
  EXPECT_NE(run.findings[0].message.find("memory limit 128Mi (mesh default from policy parameter "
                                         "istioDefaultProxyMemoryLimit)"),
            std::string::npos)
      << run.findings[0].message;
  EXPECT_NE(run.findings[0].message.find("Set the annotation sidecar.istio.io/proxyMemoryLimit"), std::string::npos);
}

TEST_F(SidecarMemoryTest, UnsetRequestIsTheLimit) {
  const std::string limit_only = deployment("production", "{annotations: {sidecar.istio.io/proxyMemoryLimit: 100Mi}}");
  EXPECT_EQ(harness_.runYaml(limit_only).codes(), Codes{"MW0101"});

  harness_.settings().set("minProxyMemoryLimit", OptionalBytes{std::int64_t{64} * 1024 * 1024});
  const RuleRun run = harness_.runYaml(limit_only);
  ASSERT_EQ(run.codes(), Codes{"MW0102"}) << run.messages();
  EXPECT_NE(run.findings[0].message.find("memory request is unset, so Kubernetes uses its limit 100Mi, below the "
                                         "128Mi minimum"),
            std::string::npos)
      << run.findings[0].message;

  const std::string request_too = deployment(
      "production", "{annotations: {sidecar.istio.io/proxyMemoryLimit: 100Mi, sidecar.istio.io/proxyMemory: 200Mi}}");
  EXPECT_TRUE(harness_.runYaml(request_too).findings.empty());
}

TEST_F(SidecarMemoryTest, EmptyMinimumsDisableTheChecks) {
  harness_.settings().set("minProxyMemoryLimit", OptionalBytes{});
  harness_.settings().set("minProxyMemoryRequest", OptionalBytes{});
  EXPECT_TRUE(runFixture("istio-limit-too-low.yaml").findings.empty());
  EXPECT_TRUE(runFixture("istio-request-too-low.yaml").findings.empty());
}

TEST_F(SidecarMemoryTest, NamespaceInjectionFollowsIstioLabels) {
  const std::string low = "{annotations: {sidecar.istio.io/proxyMemoryLimit: 64Mi}}";
  EXPECT_EQ(harness_.runYaml(deployment("canary", low)).codes(), Codes{"MW0101"});
  EXPECT_TRUE(harness_.runYaml(deployment("disabled", low)).findings.empty());
  EXPECT_TRUE(harness_.runYaml(deployment("unknown-namespace", low)).findings.empty());
  EXPECT_TRUE(harness_.runYaml(deployment("plain", low)).findings.empty());

  const std::string pod_asks =
      "{labels: {sidecar.istio.io/inject: \"true\"}, annotations: "
      "{sidecar.istio.io/proxyMemoryLimit: 64Mi}}";
  EXPECT_EQ(harness_.runYaml(deployment("plain", pod_asks)).codes(), Codes{"MW0101"});
  EXPECT_EQ(harness_.runYaml(deployment("unknown-namespace", pod_asks)).codes(), Codes{"MW0101"});
  EXPECT_TRUE(harness_.runYaml(deployment("disabled", pod_asks)).findings.empty());

  const std::string opted_out_by_annotation =
      "{annotations: {sidecar.istio.io/inject: \"false\", "
      "sidecar.istio.io/proxyMemoryLimit: 64Mi}}";
  EXPECT_TRUE(harness_.runYaml(deployment("production", opted_out_by_annotation)).findings.empty());
}

TEST_F(SidecarMemoryTest, LinkerdReadsNamespaceAnnotationsAfterThePods) {
  RuleRun run = harness_.runYaml(deployment("linkerd", "{labels: {app: api}}"));
  ASSERT_EQ(run.codes(), Codes{"MW0101"}) << run.messages();
  EXPECT_NE(run.findings[0].message.find("the linkerd-proxy sidecar's memory limit 96Mi (annotation "
                                         "config.linkerd.io/proxy-memory-limit on namespace linkerd)"),
            std::string::npos)
      << run.findings[0].message;
  EXPECT_NE(run.findings[0].message.find("on the pod template or the namespace."), std::string::npos);

  run = harness_.runYaml(deployment("linkerd", "{annotations: {config.linkerd.io/proxy-memory-limit: 1Gi}}"));
  EXPECT_TRUE(run.findings.empty()) << run.messages();

  run = harness_.runYaml(deployment("linkerd", "{annotations: {linkerd.io/inject: disabled}}"));
  EXPECT_TRUE(run.findings.empty()) << run.messages();
}

TEST_F(SidecarMemoryTest, BothMeshesAreCheckedWhenBothProxiesRun) {
  const RuleRun run = harness_.runYaml(R"(
apiVersion: v1
kind: Pod
metadata: {name: both, namespace: plain, annotations: {linkerd.io/inject: enabled, config.linkerd.io/proxy-memory-limit: 64Mi}}
spec:
  containers:
    - name: app
    - name: istio-proxy
      resources: {limits: {memory: 64Mi}, requests: {memory: 64Mi}}
)");
  EXPECT_EQ(run.codes(), (Codes{"MW0101", "MW0102", "MW0101", "MW0103"})) << run.messages();
  EXPECT_NE(run.findings[3].message.find("next to the istio-proxy and linkerd-proxy sidecars"), std::string::npos);
}

TEST_F(SidecarMemoryTest, WrongJsonTypesNeverThrow) {
  const std::string base = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: production}\n";
  const std::vector<std::pair<std::string, Codes>> cases = {
      {base + "spec: 5\n", {}},
      {base + "spec: {containers: {}}\n", {}},
      {base + "spec: {containers: [1, null, \"a\", []]}\n", {}},
      {base + "spec: {containers: [{name: 7}]}\n", {"MW0103"}},
      {base + "spec: {containers: [{name: a, resources: 5}]}\n", {"MW0103"}},
      {base + "spec: {containers: [{name: a, resources: {limits: [1]}}]}\n", {"MW0103"}},
      {base + "spec: {containers: [{name: a, resources: {limits: {memory: null}}}]}\n", {"MW0103"}},
      {base + "spec: {containers: [{name: a, resources: {limits: {memory: true}}}]}\n", {"MW0104"}},
      {base + "spec: {containers: [{name: a, resources: {limits: {memory: 536870912}}}]}\n", {}},
      {base + "spec: {containers: [{name: istio-proxy, resources: {limits: {memory: {a: 1}}}}]}\n", {"MW0104"}},
      {base + "spec: {containers: [{name: istio-proxy, resources: {limits: {memory: 1e3}}}]}\n", {"MW0101"}},
      {base + "spec: {initContainers: [{name: istio-proxy, restartPolicy: 5}], containers: []}\n", {}},
      {"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: production, annotations: "
       "{sidecar.istio.io/proxyMemoryLimit: 12}}\nspec: {}\n",
       {"MW0101"}},
      {"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: production, annotations: "
       "{sidecar.istio.io/proxyMemory: [1]}}\nspec: {}\n",
       {"MW0104"}},
      {"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: production, annotations: 5, labels: []}\nspec: {}\n",
       {}},
      {"apiVersion: v1\nkind: Pod\nmetadata: 5\nspec: {}\n", {}},
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: production}\nspec: {template: []}\n", {}},
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: production}\nspec: 5\n", {}},
      {"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: production}\nspec: {jobTemplate: "
       "{spec: null}}\n",
       {}},
      {"[1, 2]", {}},
      {"null", {}},
  };
  for (const auto& [yaml, codes] : cases) {
    RuleRun run;
    ASSERT_NO_THROW(run = harness_.runYaml(yaml)) << yaml;
    EXPECT_EQ(run.codes(), codes) << yaml << "\n" << run.messages();
  }
}

TEST_F(SidecarMemoryTest, DeletesAndNullObjectsAreIgnored) {
  test_support::RequestOptions options = test_support::inNamespace("production");
  options.operation = "DELETE";
  const RuleRun run = harness_.run(nlohmann::json(), options);
  EXPECT_TRUE(run.findings.empty());
}

TEST_F(SidecarMemoryTest, MetadataDeclaresWhatTheRuleReads) {
  const RuleMetadata& metadata = rule_.metadata();
  EXPECT_EQ(metadata.id, "sidecar-memory");
  EXPECT_EQ(metadata.type, RuleType::Validating);
  EXPECT_EQ(metadata.default_action, Action::Deny);
  EXPECT_TRUE(metadata.appliesTo("", "Pod", "CREATE"));
  EXPECT_TRUE(metadata.appliesTo("batch", "CronJob", "UPDATE"));
  EXPECT_FALSE(metadata.appliesTo("apps", "Deployment", "DELETE"));
  EXPECT_FALSE(metadata.appliesTo("", "Service", "CREATE"));
  ASSERT_EQ(metadata.codes.size(), 4u);
  EXPECT_EQ(metadata.codes[0].code, "MW0101");
}

TEST_F(SidecarMemoryTest, CorpusWorkloadsNeverThrow) {
  for (const test_support::CorpusObject& entry : test_support::injectionCorpus()) {
    for (const std::string namespace_name : {"production", "plain", "linkerd"}) {
      RuleRun run;
      EXPECT_NO_THROW(run = harness_.run(entry.object, test_support::inNamespace(namespace_name))) << entry.file;
      EXPECT_TRUE(run.patches.empty()) << entry.file;
    }
  }
}

TEST_F(SidecarMemoryTest, CorpusResourceAnnotationsAreRead) {
  const std::string root = std::string(MESHWARD_SHARED_DIR) + "/corpus/";
  const nlohmann::json annotated = objectsFromYamlFile(root + "istio-injection/resource_annotations.yaml").at(0);
  EXPECT_EQ(harness_.run(annotated, test_support::inNamespace("production")).codes(), Codes{"MW0103"});

  harness_.settings().set("minProxyMemoryLimit", OptionalBytes{std::int64_t{4} * 1024 * 1024 * 1024});
  const RuleRun run = harness_.run(annotated, test_support::inNamespace("production"));
  ASSERT_EQ(run.codes(), (Codes{"MW0101", "MW0103"})) << run.messages();
  EXPECT_NE(run.findings[0].message.find("memory limit 2Gi (annotation sidecar.istio.io/proxyMemoryLimit) is below "
                                         "the 4Gi minimum"),
            std::string::npos)
      << run.findings[0].message;
}

TEST_F(SidecarMemoryTest, CorpusLinkerdOverridesAreRead) {
  const std::string file = std::string(MESHWARD_SHARED_DIR) +
                           "/corpus/other-meshes/linkerd/injection-examples/"
                           "inject_emojivoto_deployment_config_overrides.input.yml";
  const nlohmann::json overrides = objectsFromYamlFile(file).at(0);
  EXPECT_TRUE(harness_.run(overrides, test_support::inNamespace("plain")).findings.empty());

  const RuleRun run = harness_.run(overrides, test_support::inNamespace("linkerd"));
  ASSERT_EQ(run.codes(), (Codes{"MW0102", "MW0103"})) << run.messages();
  EXPECT_NE(run.findings[0].message.find("Deployment linkerd/web: the linkerd-proxy sidecar's memory request 64Mi "
                                         "(annotation config.linkerd.io/proxy-memory-request) is below the 128Mi "
                                         "minimum"),
            std::string::npos)
      << run.findings[0].message;
}

}  // namespace
}  // namespace meshward::policies
