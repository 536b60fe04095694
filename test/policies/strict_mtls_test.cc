#include "policies/strict_mtls/strict_mtls_rule.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policies/policy.h"

#include "test/cluster/scratch_directory.h"
#include "test/support/rule_harness.h"
#include "webhook/cluster/offline_cluster_state.h"

namespace meshward::policies {
namespace {

using test_support::Change;
using test_support::clusterFromYaml;
using test_support::creating;
using test_support::deleting;
using test_support::updating;
using test_support::objectFromYaml;
using test_support::RequestOptions;
using test_support::RuleHarness;
using test_support::RuleRun;
using test_support::testdataPath;

using Codes = std::vector<std::string>;

// A PeerAuthentication as YAML, its spec in flow style.
std::string policy(const std::string& namespace_name, const std::string& name, const std::string& spec,
                   const std::string& created = "") {
  return "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: " + name +
         ", namespace: " + namespace_name + (created.empty() ? "" : ", creationTimestamp: \"" + created + "\"") +
         "}\nspec: " + spec + "\n";
}

constexpr const char* kLastYear = "2024-01-01T00:00:00Z";
const std::string kMeshStrict = policy("istio-system", "default", "{mtls: {mode: STRICT}}", kLastYear);
const std::string kLegacyShield = policy("legacy", "allow-plaintext", "{mtls: {mode: PERMISSIVE}}", kLastYear);
const std::string kLegacyStrict = policy("legacy", "default", "{mtls: {mode: STRICT}}", kLastYear);
const std::string kLegacyStrictRelabelled =
    "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: legacy, "
    "creationTimestamp: \"2024-01-01T00:00:00Z\", labels: {team: platform}}\nspec: {mtls: {mode: STRICT}}\n";

struct Case {
  std::string name;
  std::string existing;  // PeerAuthentications already in the cluster, as YAML documents
  Change change;
  std::size_t exposed;             // pods the finding counts; 0 when the change is allowed
  std::vector<std::string> named;  // what the message must name
};

class StrictMtlsTest : public ::testing::Test {
 protected:
  StrictMtlsTest() : harness_(rule_), base_cluster_(test_support::readTextFile(testdataPath("strict_mtls/cluster.yaml"))) {}

  // Runs the request against the base cluster plus `existing`, which (as in a real cluster)
  // also holds the old version of an updated or deleted object.
  // Runs the request against the base cluster plus `existing`, which (as in a real cluster)
  // also holds the old version of an updated or deleted object.
  RuleRun run(const std::string& existing, const Change& change) {
    return test_support::runChange(harness_, base_cluster_ + "\n---\n" + existing, change);
  }

  RuleRun runAgainst(const cluster::ClusterState& cluster, const Change& change) {
    return test_support::runChange(harness_, cluster, change);
  }

  StrictMtlsRule rule_;
  RuleHarness harness_;
  std::string base_cluster_;
};

std::string exposedText(std::size_t count) {
  return "makes mTLS STRICT for " + std::to_string(count) + (count == 1 ? " pod " : " pods ") +
         "without an Istio sidecar";
}

void expectOutcome(const Case& test_case, const RuleRun& run) {
  if (test_case.exposed == 0) {
    EXPECT_EQ(run.codes(), Codes{}) << test_case.name << "\n" << run.messages();
    return;
  }
  ASSERT_EQ(run.codes(), Codes{"MW0401"}) << test_case.name << "\n" << run.messages();
  const std::string& message = run.findings[0].message;
  EXPECT_EQ(run.findings[0].action, Action::Deny) << test_case.name;
  EXPECT_NE(message.find(exposedText(test_case.exposed)), std::string::npos) << test_case.name << "\n" << message;
  for (const std::string& named : test_case.named) {
    EXPECT_NE(message.find(named), std::string::npos) << test_case.name << ": " << named << "\n" << message;
  }
  for (const char* never : {"native-0", "migrate-0", "enrolled-0", "ledger-0", "coredns-0", "web", "api"}) {
    EXPECT_EQ(message.find(std::string("/") + never), std::string::npos) << test_case.name << ": " << never;
  }
}

TEST_F(StrictMtlsTest, DeniesChangesThatMakeSidecarlessPodsStrict) {
  const std::vector<Case> cases = {
      {"mesh-wide STRICT",
       "",
       creating(policy("istio-system", "default", "{mtls: {mode: STRICT}}")),
       6,
       {"without an Istio sidecar: ambient/opted-out-0, legacy/metrics-0, legacy/report-0, legacy/report-1, "
        "shop/daemonset/node-agent and 1 more. "}},
      {"namespace-wide STRICT",
       "",
       creating(policy("legacy", "default", "{mtls: {mode: STRICT}}")),
       3,
       {"legacy/metrics-0, legacy/report-0, legacy/report-1"}},
      {"hostNetwork pods are never injected, finished pods do not count",
       "",
       creating(policy("shop", "default", "{mtls: {mode: STRICT}}")),
       2,
       {"shop/daemonset/node-agent, shop/legacy-0"}},
      {"a pod that opts out of its namespace's ambient mode",
       "",
       creating(policy("ambient", "default", "{mtls: {mode: STRICT}}")),
       1,
       {"ambient/opted-out-0"}},
      {"deleting a namespace PERMISSIVE shield under mesh-wide STRICT",
       kMeshStrict,
       deleting(kLegacyShield),
       3,
       {"deleting it", "(STRICT set by PeerAuthentication istio-system/default)"}},
      {"relaxing the shield to UNSET",
       kMeshStrict,
       updating(kLegacyShield, policy("legacy", "allow-plaintext", "{mtls: {mode: UNSET}}", kLastYear)),
       3,
       {"this update"}},
      {"relaxing the shield by dropping its mtls",
       kMeshStrict,
       updating(kLegacyShield, policy("legacy", "allow-plaintext", "{}", kLastYear)),
       3,
       {}},
      {"narrowing the shield to a selector",
       kMeshStrict,
       updating(kLegacyShield, policy("legacy", "allow-plaintext",
                                      "{selector: {matchLabels: {app: report}}, mtls: {mode: PERMISSIVE}}", kLastYear)),
       1,
       {"legacy/metrics-0"}},
      {"widening the selector of a workload-level STRICT",
       "",
       updating(policy("legacy", "strict-report",
                       "{selector: {matchLabels: {app: report, track: canary}}, mtls: {mode: STRICT}}", kLastYear),
                policy("legacy", "strict-report", "{selector: {matchLabels: {app: report}}, mtls: {mode: STRICT}}",
                       kLastYear)),
       2,
       {"(workload-level, selector app=report)", "legacy/report-0, legacy/report-1"}},
      {"STRICT on one port only",
       "",
       creating(policy("legacy", "report-port",
                       "{selector: {matchLabels: {app: report}}, portLevelMtls: {\"8080\": {mode: STRICT}}}")),
       2,
       {"legacy/report-0 (port 8080), legacy/report-1 (port 8080)"}},
      {"deleting a port-level PERMISSIVE exception under mesh-wide STRICT",
       kMeshStrict,
       deleting(policy("legacy", "report-port",
                       "{selector: {matchLabels: {app: report}}, portLevelMtls: {\"8080\": {mode: PERMISSIVE}}}",
                       kLastYear)),
       2,
       {"legacy/report-0 (port 8080)"}},
      {"deleting a workload-level DISABLE under namespace-wide STRICT",
       kLegacyStrict,
       deleting(policy("legacy", "report-plaintext", "{selector: {matchLabels: {app: report}}, mtls: {mode: DISABLE}}",
                       kLastYear)),
       2,
       {"legacy/report-0, legacy/report-1", "STRICT set by PeerAuthentication legacy/default"}},
      {"a new STRICT policy over pods the mesh-wide policy already makes STRICT",
       kMeshStrict,
       creating(policy("legacy", "default", "{mtls: {mode: STRICT}}")),
       3,
       {"(namespace-wide)"}},
      {"the oldest mesh-wide policy decides",
       policy("istio-system", "a-newer", "{mtls: {mode: PERMISSIVE}}", "2024-06-01T00:00:00Z"),
       updating(policy("istio-system", "b-older", "{mtls: {mode: PERMISSIVE}}", "2023-01-01T00:00:00Z"),
                policy("istio-system", "b-older", "{mtls: {mode: STRICT}}", "2023-01-01T00:00:00Z")),
       6,
       {"(mesh-wide)"}},
  };
  for (const Case& test_case : cases) {
    expectOutcome(test_case, run(test_case.existing, test_case.change));
  }
}

TEST_F(StrictMtlsTest, AllowsChangesThatLeaveEverySidecarlessPodAsItWas) {
  const std::string all_shielded = policy("ambient", "allow", "{mtls: {mode: PERMISSIVE}}", kLastYear) + "---\n" +
                                   kLegacyShield + "---\n" +
                                   policy("shop", "allow", "{mtls: {mode: PERMISSIVE}}", kLastYear);
  const std::vector<Case> cases = {
      {"mesh-wide PERMISSIVE", "", creating(policy("istio-system", "default", "{mtls: {mode: PERMISSIVE}}")), 0, {}},
      {"mesh-wide DISABLE", "", creating(policy("istio-system", "default", "{mtls: {mode: DISABLE}}")), 0, {}},
      {"namespace-wide STRICT where every pod has a sidecar",
       "",
       creating(policy("checkout", "default", "{mtls: {mode: STRICT}}")),
       0,
       {}},
      {"namespace-wide STRICT where the pod enrols itself in ambient mode",
       "",
       creating(policy("payments", "default", "{mtls: {mode: STRICT}}")),
       0,
       {}},
      {"mesh-wide STRICT with every sidecarless namespace shielded (kube-system is ignored)",
       all_shielded,
       creating(policy("istio-system", "default", "{mtls: {mode: STRICT}}")),
       0,
       {}},
      {"re-applying an unchanged STRICT policy", "", updating(kLegacyStrict, kLegacyStrict), 0, {}},
      {"relabelling a STRICT policy", "", updating(kLegacyStrict, kLegacyStrictRelabelled), 0, {}},
      {"workload-level STRICT that selects only injected pods",
       "",
       creating(policy("shop", "web-strict", "{selector: {matchLabels: {app: web}}, mtls: {mode: STRICT}}")),
       0,
       {}},
      {"workload-level STRICT that selects no pod",
       "",
       creating(policy("legacy", "nothing", "{selector: {matchLabels: {app: nothing}}, mtls: {mode: STRICT}}")),
       0,
       {}},
      {"a selector policy in the root namespace, which istiod ignores",
       "",
       creating(policy("istio-system", "report", "{selector: {matchLabels: {app: report}}, mtls: {mode: STRICT}}")),
       0,
       {}},
      {"port-level STRICT in a namespace-wide policy, which istiod ignores",
       "",
       creating(policy("legacy", "default", "{portLevelMtls: {\"8080\": {mode: STRICT}}}")),
       0,
       {}},
      {"a workload-level PERMISSIVE exception on one port under mesh-wide STRICT",
       kMeshStrict,
       creating(policy("legacy", "report-port",
                       "{selector: {matchLabels: {app: report}}, portLevelMtls: {\"8080\": {mode: PERMISSIVE}}}")),
       0,
       {}},
      {"deleting a STRICT policy", "", deleting(kLegacyStrict), 0, {}},
      {"deleting a shield with nothing STRICT above it", "", deleting(kLegacyShield), 0, {}},
      {"relaxing mesh-wide STRICT to PERMISSIVE",
       "",
       updating(kMeshStrict, policy("istio-system", "default", "{mtls: {mode: PERMISSIVE}}", kLastYear)),
       0,
       {}},
      {"a newer mesh-wide STRICT policy loses to the older PERMISSIVE one",
       policy("istio-system", "default", "{mtls: {mode: PERMISSIVE}}", kLastYear),
       creating(policy("istio-system", "a-strict", "{mtls: {mode: STRICT}}")),
       0,
       {}},
  };
  for (const Case& test_case : cases) {
    expectOutcome(test_case, run(test_case.existing, test_case.change));
  }
}

TEST_F(StrictMtlsTest, MessageNamesThePolicyItsScopeTheCountThePodsAndTheFix) {
  const RuleRun run = this->run("", creating(policy("legacy", "default", "{mtls: {mode: STRICT}}")));
  ASSERT_EQ(run.findings.size(), 1u) << run.messages();
  EXPECT_EQ(run.findings[0].rule, "strict-mtls-needs-sidecars");
  EXPECT_EQ(run.findings[0].message,
            "PeerAuthentication legacy/default (namespace-wide): creating it makes mTLS STRICT for 3 pods without an "
            "Istio sidecar: legacy/metrics-0, legacy/report-0, legacy/report-1. Without a sidecar a pod can neither "
            "accept nor originate mutual TLS, so its traffic with meshed workloads fails once STRICT applies. Inject "
            "sidecars and restart those pods, exclude them with a PERMISSIVE PeerAuthentication, or roll STRICT out "
            "one namespace at a time.");
}

TEST_F(StrictMtlsTest, NamesAsManyPodsAsConfigured) {
  const Change mesh_strict = creating(policy("istio-system", "default", "{mtls: {mode: STRICT}}"));
  harness_.settings().set("maxPodsNamed", std::int64_t{2});
  RuleRun run = this->run("", mesh_strict);
  ASSERT_EQ(run.findings.size(), 1u);
  EXPECT_NE(run.findings[0].message.find("6 pods without an Istio sidecar: ambient/opted-out-0, legacy/metrics-0 "
                                         "and 4 more. "),
            std::string::npos)
      << run.findings[0].message;

  harness_.settings().set("maxPodsNamed", std::int64_t{0});
  run = this->run("", mesh_strict);
  ASSERT_EQ(run.findings.size(), 1u);
  EXPECT_NE(run.findings[0].message.find("6 pods without an Istio sidecar. "), std::string::npos)
      << run.findings[0].message;
}

TEST(StrictMtlsPolicy, MaxPodsNamedIsAWholeNumberFrom0To100) {
  for (const std::string value : {"many", "5.5", "-1", "101", "\"7\""}) {
    const Result<Policy> policy =
        parsePolicy("rules:\n  strict-mtls-needs-sidecars:\n    maxPodsNamed: " + value + "\n", "p.yaml");
    ASSERT_FALSE(policy.ok()) << value;
    EXPECT_NE(policy.error().find("p.yaml:3"), std::string::npos) << policy.error();
    EXPECT_NE(policy.error().find("maxPodsNamed"), std::string::npos) << policy.error();
  }
  const Result<Policy> hundred =
      parsePolicy("rules:\n  strict-mtls-needs-sidecars:\n    maxPodsNamed: 100\n", "p.yaml");
  ASSERT_TRUE(hundred.ok()) << hundred.error();
  EXPECT_EQ(hundred->settingsFor("strict-mtls-needs-sidecars").integer("maxPodsNamed"), 100);
}

// Past a few dozen namespaces the rule reads ambient enrolment in one pass over the Namespaces
// instead of a lookup each; the outcome must not change.
TEST_F(StrictMtlsTest, JudgesManyNamespacesLikeAFew) {
  std::string many;
  for (int i = 0; i < 40; ++i) {
    const std::string name = "team-" + std::to_string(10 + i);
    many += "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: " + name +
            (i % 10 == 3 ? ", labels: {istio.io/dataplane-mode: ambient}" : "") +
            "}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: job-0, namespace: " + name + "}\n" +
            "spec: {containers: [{name: job}]}\n";
  }
  const RuleRun run = this->run(many, creating(policy("istio-system", "default", "{mtls: {mode: STRICT}}")));
  ASSERT_EQ(run.codes(), Codes{"MW0401"}) << run.messages();
  EXPECT_NE(run.findings[0].message.find(exposedText(6 + 36)), std::string::npos)
      << "four ambient namespaces are left out: " << run.findings[0].message;
  EXPECT_NE(run.findings[0].message.find(": ambient/opted-out-0, legacy/metrics-0, "), std::string::npos)
      << run.findings[0].message;
}

TEST_F(StrictMtlsTest, ReportsAPolicyUnderCheckThatTheStateAlreadyHolds) {
  // `meshward check` evaluates every manifest as a CREATE against a state that contains it.
  const std::string strict = policy("legacy", "default", "{mtls: {mode: STRICT}}");
  const std::unique_ptr<cluster::ClusterState> state = clusterFromYaml(base_cluster_ + "\n---\n" + strict);
  const RuleRun run = runAgainst(*state, creating(strict));
  ASSERT_EQ(run.codes(), Codes{"MW0401"}) << run.messages();
  EXPECT_NE(run.findings[0].message.find(exposedText(3)), std::string::npos) << run.findings[0].message;
}

class NotReadyState final : public cluster::ClusterState {
 public:
  bool available() const override { return true; }
  bool ready() const override { return false; }
  std::optional<cluster::NamespaceInfo> findNamespace(std::string_view) const override { return std::nullopt; }
};

TEST_F(StrictMtlsTest, WarnsInsteadOfGuessingWithoutAUsableClusterState) {
  const Change strict = creating(policy("legacy", "default", "{mtls: {mode: STRICT}}"));
  const cluster::NoClusterState none;
  const NotReadyState loading;
  const test_support::FakeClusterState namespaces_only;
  const std::vector<std::pair<const cluster::ClusterState*, std::string>> states = {
      {&none, "meshward has no cluster state (serve it with --kubeconfig, in-cluster credentials or --cluster-state)"},
      {&loading, "the cluster state is still being listed"},
      {&namespaces_only, "the cluster state does not follow PeerAuthentications (security.istio.io) and Pods"},
  };
  for (const auto& [state, reason] : states) {
    const RuleRun run = runAgainst(*state, strict);
    ASSERT_EQ(run.codes(), Codes{"MW0003"}) << reason;
    EXPECT_EQ(run.findings[0].action, Action::Warn) << reason;
    EXPECT_EQ(run.findings[0].message,
              "PeerAuthentication legacy/default: strict-mtls-needs-sidecars could not be checked because " + reason +
                  "; it is admitted unchecked. Run `meshward check` on your manifests to verify.");
  }
  harness_.settings().action = Action::Audit;
  EXPECT_EQ(runAgainst(none, strict).findings.at(0).action, Action::Audit) << "never louder than the rule's action";
}

TEST_F(StrictMtlsTest, ReadsPeerAuthenticationRequestsOnly) {
  const nlohmann::json strict = objectFromYaml(policy("legacy", "default", "{mtls: {mode: STRICT}}"));
  for (const std::string operation : {"CREATE", "UPDATE", "DELETE"}) {
    RequestOptions options;
    options.operation = operation;
    EXPECT_TRUE(harness_.appliesTo(strict, options)) << operation;
  }
  RequestOptions connect;
  connect.operation = "CONNECT";
  EXPECT_FALSE(harness_.appliesTo(strict, connect));
  EXPECT_FALSE(harness_.appliesTo(objectFromYaml("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")));
}

// A GitOps repository that turns on mesh-wide STRICT next to a sidecar-injected app passes; the
// same repository with a namespace that injects nothing does not.
TEST_F(StrictMtlsTest, RealRepositoryWithStrictMeshAndInjectedWorkloadsPasses) {
  const std::string repository = std::string(MESHWARD_SHARED_DIR) + "/corpus/gitops/find-arka-gloo-mesh-notes";
  const std::string strict_file = repository +
                                  "/02-admin-config-oss-helm-approach__common-istio-administrative-manifests__"
                                  "peerauthentication-strict-mtls.yaml";
  Result<std::unique_ptr<cluster::ClusterState>> state = cluster::loadOfflineClusterState({repository}, test_support::allIndexes());
  ASSERT_TRUE(state.ok()) << state.error();
  const std::string strict = test_support::readTextFile(strict_file);
  ASSERT_NE(strict.find("mode: STRICT"), std::string::npos) << strict_file;
  const RuleRun clean = runAgainst(**state, creating(strict));
  EXPECT_EQ(clean.codes(), Codes{}) << clean.messages();

  const std::string sidecarless =
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: batch}\n---\n"
      "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: batch}\n"
      "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
      "          containers: [{name: job}]\n";
  const meshward::testing::ScratchDirectory scratch;
  const std::string scratch_manifest = scratch.write("batch.yaml", sidecarless);
  Result<std::unique_ptr<cluster::ClusterState>> with_batch =
      cluster::loadOfflineClusterState({repository, scratch_manifest}, test_support::allIndexes());
  ASSERT_TRUE(with_batch.ok()) << with_batch.error();
  const RuleRun denied = runAgainst(**with_batch, creating(strict));
  ASSERT_EQ(denied.codes(), Codes{"MW0401"}) << denied.messages();
  EXPECT_NE(denied.findings[0].message.find("1 pod without an Istio sidecar: batch/cronjob/nightly."),
            std::string::npos)
      << denied.findings[0].message;
}

}  // namespace
}  // namespace meshward::policies
