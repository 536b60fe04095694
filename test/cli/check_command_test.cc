#include "webhook/cli/check_command.h"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/cluster/scratch_directory.h"

namespace meshward::cli {
namespace {

constexpr const char* kConfigMap = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  key: value
)";

// An Istio sidecar with a 64Mi limit: sidecar-memory denies it by default.
constexpr const char* kStarvedSidecarPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels:
    sidecar.istio.io/inject: "true"
  annotations:
    sidecar.istio.io/proxyMemoryLimit: 64Mi
    sidecar.istio.io/proxyMemory: 64Mi
spec:
  containers:
  - name: app
    image: nginx
    resources:
      limits:
        memory: 256Mi
)";

// Enough proxy memory, but the application container has no memory limit: a warning by default.
constexpr const char* kPodWithoutAppLimit = R"(apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
  labels:
    sidecar.istio.io/inject: "true"
spec:
  containers:
  - name: app
    image: nginx
)";

// No inject label: it gets a sidecar only when its namespace asks for injection.
constexpr const char* kPodRelyingOnNamespace = R"(apiVersion: v1
kind: Pod
metadata:
  name: worker
  namespace: shop
  annotations:
    sidecar.istio.io/proxyMemoryLimit: 64Mi
    sidecar.istio.io/proxyMemory: 64Mi
spec:
  containers:
  - name: app
    image: busybox
    resources: {limits: {memory: 64Mi}}
)";

constexpr const char* kInjectedNamespace = R"(apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
)";

struct CheckRun {
  int exit_code = -1;
  std::string out;
  std::string err;

  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

CheckRun check(const std::vector<std::string>& args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  CheckRun run;
  run.exit_code = runCheckCommand(args, in, out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class CheckCommandTest : public ::testing::Test {
 protected:
  std::string write(const std::string& relative, const std::string& text) { return scratch_.write(relative, text); }

  testing::ScratchDirectory scratch_;
};

TEST_F(CheckCommandTest, CleanManifestsExitZero) {
  const std::string file = write("config.yaml", kConfigMap);
  const CheckRun run = check({file});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.out, "checked 1 object in 1 file: 0 denied, 0 with warnings, 0 audited, 0 would be mutated\n");
  EXPECT_EQ(run.err, "");
}

TEST_F(CheckCommandTest, DeniedObjectsExitOneWithFileAndLine) {
  const std::string file = write("app.yaml", std::string(kConfigMap) + "---\n" + kStarvedSidecarPod);
  const CheckRun run = check({file});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(contains(run.out, file + ":9: DENY [sidecar-memory] (MW0101) Pod shop/web: ")) << run.out;
  EXPECT_TRUE(contains(run.out, "checked 2 objects in 1 file: 1 denied")) << run.out;
}

TEST_F(CheckCommandTest, WarningsAloneExitZero) {
  const std::string file = write("api.yaml", kPodWithoutAppLimit);
  const CheckRun run = check({file});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(contains(run.out, file + ":1: WARN [sidecar-memory] (MW0103) Pod shop/api: ")) << run.out;
  EXPECT_TRUE(contains(run.out, "0 denied, 1 with warnings")) << run.out;
}

TEST_F(CheckCommandTest, JsonOutputHasTheDocumentedShape) {
  const std::string file = write("app.yaml", std::string(kStarvedSidecarPod) + "---\n" + kConfigMap);
  const CheckRun run = check({"-o", "json", file});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const nlohmann::json report = run.json();
  ASSERT_EQ(report.size(), 2u) << report.dump(2);
  ASSERT_TRUE(report["findings"].is_array());
  ASSERT_FALSE(report["findings"].empty());
  const nlohmann::json& finding = report["findings"][0];
  const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(run.out);
  std::vector<std::string> keys;
  for (const auto& [key, value] : ordered["findings"][0].items()) {
    keys.push_back(key);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"rule", "code", "action", "kind", "namespace", "name", "file", "line",
                                            "message"}));
  EXPECT_EQ(finding["rule"], "sidecar-memory");
  EXPECT_EQ(finding["code"], "MW0101");
  EXPECT_EQ(finding["action"], "deny");
  EXPECT_EQ(finding["kind"], "Pod");
  EXPECT_EQ(finding["namespace"], "shop");
  EXPECT_EQ(finding["name"], "web");
  EXPECT_EQ(finding["file"], file);
  EXPECT_EQ(finding["line"], 1);
  EXPECT_TRUE(contains(finding["message"].get<std::string>(), "64Mi")) << finding.dump();
  const nlohmann::json& summary = report["summary"];
  EXPECT_EQ(summary["objects"], 2);
  EXPECT_EQ(summary["files"], 1);
  EXPECT_EQ(summary["denied"], 1);
  EXPECT_EQ(summary["skipped"], 0);
  EXPECT_TRUE(summary["warned"].is_number_unsigned());
  EXPECT_TRUE(summary["audited"].is_number_unsigned());
  EXPECT_TRUE(summary["mutated"].is_number_unsigned());
  EXPECT_TRUE(summary["mutations"].is_number_unsigned());
}

TEST_F(CheckCommandTest, AuditFindingsAppearOnlyInJson) {
  const std::string policy = write("policy.yaml",
                                   "apiVersion: meshward.dev/v1alpha1\n"
                                   "kind: Policy\n"
                                   "rules:\n"
                                   "  sidecar-memory:\n"
                                   "    action: audit\n");
  const std::string file = write("app.yaml", kStarvedSidecarPod);
  const CheckRun text = check({"--config", policy, file});
  EXPECT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_FALSE(contains(text.out, "MW0101")) << text.out;
  EXPECT_TRUE(contains(text.out, "0 denied, 0 with warnings, 1 audited")) << text.out;

  const CheckRun json = check({"--config", policy, "--output=json", file});
  EXPECT_EQ(json.exit_code, 0) << json.out << json.err;
  const nlohmann::json report = json.json();
  ASSERT_FALSE(report["findings"].empty()) << report.dump(2);
  EXPECT_EQ(report["findings"][0]["action"], "audit");
  EXPECT_EQ(report["summary"]["audited"], 1);
  EXPECT_EQ(report["summary"]["denied"], 0);
}

TEST_F(CheckCommandTest, UsesNamespacesFromTheCheckedManifests) {
  const std::string pod = write("pod.yaml", kPodRelyingOnNamespace);
  EXPECT_EQ(check({pod}).exit_code, 0) << "without its namespace the pod gets no sidecar";
  const std::string with_namespace =
      write("all.yaml", std::string(kInjectedNamespace) + "---\n" + kPodRelyingOnNamespace);
  const CheckRun run = check({with_namespace});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(contains(run.out, "Pod shop/worker")) << run.out;
}

TEST_F(CheckCommandTest, UsesNamespacesFromClusterState) {
  const std::string pod = write("app/pod.yaml", kPodRelyingOnNamespace);
  write("cluster/namespace.yaml", kInjectedNamespace);
  write("cluster/kustomize-patch.yaml", "- op: add\n  path: /metadata/labels/a\n  value: b\n");
  const CheckRun run = check({"--cluster-state", (scratch_.path() / "cluster").string(), pod});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(contains(run.out, "checked 1 object in 1 file: 1 denied")) << run.out;
}

TEST_F(CheckCommandTest, BreakGlassIsNotHonouredForTheAnonymousUser) {
  std::string pod = kStarvedSidecarPod;
  pod.replace(pod.find("  labels:\n"), 10,
              "  labels:\n    meshward.dev/break-glass: \"true\"\n");
  pod.replace(pod.find("  annotations:\n"), 15,
              "  annotations:\n    meshward.dev/break-glass-reason: incident 42\n");
  const CheckRun run = check({"-o", "json", write("pod.yaml", pod)});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const nlohmann::json report = run.json();
  bool reported_break_glass = false;
  for (const nlohmann::json& finding : report["findings"]) {
    reported_break_glass = reported_break_glass || finding["code"] == "MW0001";
  }
  EXPECT_TRUE(reported_break_glass) << run.out;
}

TEST_F(CheckCommandTest, ReadsStandardInput) {
  const CheckRun run = check({"-"}, kStarvedSidecarPod);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(contains(run.out, "<stdin>:1: DENY [sidecar-memory]")) << run.out;
}

TEST_F(CheckCommandTest, SkipsDocumentsThatAreNotKubernetesObjects) {
  const std::string mesh_config = write("mesh.yaml", "defaultConfig:\n  holdApplicationUntilProxyStarts: true\n");
  const CheckRun run = check({"-o", "json", mesh_config});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.json()["summary"]["skipped"], 1);
  EXPECT_EQ(run.json()["summary"]["objects"], 0);
  EXPECT_TRUE(contains(run.err, mesh_config + ":1: skipped")) << run.err;
}

TEST_F(CheckCommandTest, UnreadableInputExitsTwoWithFileAndLine) {
  const std::string broken = write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x}\n");
  const CheckRun run = check({broken});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.err, broken + ":3:")) << run.err;
  EXPECT_EQ(run.out, "");

  const CheckRun missing = check({(scratch_.path() / "missing.yaml").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(contains(missing.err, "missing.yaml")) << missing.err;

  const CheckRun scalar = check({write("scalar.yaml", "hello\n")});
  EXPECT_EQ(scalar.exit_code, 2);
  EXPECT_TRUE(contains(scalar.err, "scalar.yaml:1: document is a scalar")) << scalar.err;
}

TEST_F(CheckCommandTest, UsageErrorsExitTwo) {
  const std::string file = write("config.yaml", kConfigMap);
  EXPECT_EQ(check({}).exit_code, 2);
  EXPECT_EQ(check({"-o", "yaml", file}).exit_code, 2);
  EXPECT_EQ(check({"--unknown", file}).exit_code, 2);
  EXPECT_EQ(check({file, "--config"}).exit_code, 2);
  const std::string policy = write("policy.yaml", "apiVersion: meshward.dev/v1alpha1\nkind: Policy\nbogus: 1\n");
  const CheckRun bad_policy = check({"--config", policy, file});
  EXPECT_EQ(bad_policy.exit_code, 2);
  EXPECT_TRUE(contains(bad_policy.err, "policy.yaml:3")) << bad_policy.err;
}

TEST_F(CheckCommandTest, HelpExitsZero) {
  const CheckRun run = check({"--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(contains(run.out, "Usage: meshward check")) << run.out;
}

TEST(CheckCommandCorpus, ChecksTheIstioSamplesWithoutInputErrors) {
  const CheckRun run = check({"-o", "json", std::string(MESHWARD_SHARED_DIR) + "/corpus/istio-samples"});
  EXPECT_NE(run.exit_code, 2) << run.err;
  const nlohmann::json report = run.json();
  EXPECT_GT(report["summary"]["objects"].get<int>(), 20);
  EXPECT_GT(report["summary"]["files"].get<int>(), 5);
}

TEST_F(CheckCommandTest, ChangeGovernanceJudgesTheUserOfAsAtTheTimeOfNow) {
  const std::string policy = write("policy.yaml",
                                   "apiVersion: meshward.dev/v1alpha1\n"
                                   "kind: Policy\n"
                                   "rules:\n"
                                   "  change-governance:\n"
                                   "    action: deny\n"
                                   "    envoyFilterOwners: [group:platform-team]\n"
                                   "    windows: [\"Mon-Fri 09:00-17:00 Europe/Berlin\"]\n");
  const std::string filter = write("filter.yaml",
                                   "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\n"
                                   "metadata: {name: lua, namespace: shop}\nspec: {configPatches: []}\n");
  const std::string inside = "2026-12-09T10:00:00+01:00";  // a Wednesday morning in Berlin
  const CheckRun anonymous = check({"--config", policy, "--now", inside, filter});
  EXPECT_EQ(anonymous.exit_code, 1) << anonymous.out << anonymous.err;
  EXPECT_TRUE(contains(anonymous.out, "(MW1001)")) << anonymous.out;
  EXPECT_TRUE(contains(anonymous.out, "not system:anonymous (groups system:unauthenticated)")) << anonymous.out;

  const CheckRun owner = check({"--config", policy, "--as", "bob", "--as-group", "platform-team", "--now", inside, filter});
  EXPECT_EQ(owner.exit_code, 0) << owner.out << owner.err;

  const CheckRun evening =
      check({"--config", policy, "--as", "bob", "--as-group", "platform-team", "--now", "2026-12-09T19:00:00Z", filter});
  EXPECT_EQ(evening.exit_code, 1) << evening.out << evening.err;
  EXPECT_TRUE(contains(evening.out, "(MW1002)")) << evening.out;
  EXPECT_TRUE(contains(evening.out, "The next window opens Thu 2026-12-10 09:00 CET (in 13h)")) << evening.out;
}

TEST_F(CheckCommandTest, RequesterFlagsAreChecked) {
  const std::string file = write("config.yaml", kConfigMap);
  const CheckRun bad_time = check({"--now", "tomorrow", file});
  EXPECT_EQ(bad_time.exit_code, 2);
  EXPECT_TRUE(contains(bad_time.err, "--now must be an RFC 3339 time")) << bad_time.err;
  const CheckRun group_alone = check({"--as-group", "sre", file});
  EXPECT_EQ(group_alone.exit_code, 2);
  EXPECT_TRUE(contains(group_alone.err, "--as-group needs --as")) << group_alone.err;
}

TEST_F(CheckCommandTest, ARevisionWithoutAnInjectorIsFoundAgainstTheClusterState) {
  const std::string control_plane = write("istio/injector.yaml",
                                          "apiVersion: admissionregistration.k8s.io/v1\n"
                                          "kind: MutatingWebhookConfiguration\n"
                                          "metadata: {name: istio-sidecar-injector-1-22, labels: {istio.io/rev: 1-22}}\n");
  const std::string typo = write("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: "
                                            "{istio.io/rev: 1-23}}\n");
  const CheckRun run = check({"--cluster-state", control_plane, typo});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(contains(run.out, "DENY [revision-exists] (MW0902) Namespace shop: ")) << run.out;
  EXPECT_TRUE(contains(run.out, "(the cluster's: 1-22)")) << run.out;
  const std::string fixed = write("fixed.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: "
                                                "{istio.io/rev: 1-22}}\n");
  EXPECT_EQ(check({"--cluster-state", control_plane, fixed}).exit_code, 0);
}

TEST_F(CheckCommandTest, AManifestThatIsNotUtf8IsUnreadableInputInEveryFormat) {
  std::string text = kStarvedSidecarPod;
  text.replace(text.find("name: web"), 9, "name: \"we\xFF" "b\"");
  const std::string pod = write("pod.yaml", text);
  for (const std::string output : {"text", "json"}) {
    const CheckRun run = check({"-o", output, pod});
    EXPECT_EQ(run.exit_code, 2) << output << run.out << run.err;
    EXPECT_EQ(run.out, "") << output;
    EXPECT_TRUE(contains(run.err, pod + ":4:12: not UTF-8 (byte 0xFF)")) << output << run.err;
    EXPECT_FALSE(contains(run.err, "internal error")) << run.err;
  }
}

}  // namespace
}  // namespace meshward::cli
