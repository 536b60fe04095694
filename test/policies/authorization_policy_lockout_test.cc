#include "policies/authorization_policy_lockout/authorization_policy_lockout_rule.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::Change;
using test_support::creating;
using test_support::deleting;
using test_support::RuleHarness;
using test_support::RuleRun;
using test_support::testdataPath;
using test_support::updating;

using Codes = std::vector<std::string>;

// An AuthorizationPolicy as YAML, its spec in flow style.
std::string policy(const std::string& namespace_name, const std::string& name, const std::string& spec,
                   const std::string& annotations = "") {
  return "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: " + name +
         ", namespace: " + namespace_name + (annotations.empty() ? "" : ", annotations: " + annotations) +
         "}\nspec: " + spec + "\n";
}

const std::string kMeshDenyAll = policy("istio-system", "deny-all", "{}");
const std::string kShopAllowAll = policy("shop", "allow-shop", "{rules: [{}]}");
const std::string kPaymentsAllowShop = policy("payments", "allow-shop", "{rules: [{from: [{source: {namespaces: [shop]}}]}]}");
const std::string kIngressAllowAll =
    policy("istio-system", "allow-ingress", "{selector: {matchLabels: {app: istio-ingressgateway}}, rules: [{}]}");

struct Case {
  std::string name;
  std::string existing;  // AuthorizationPolicies already in the cluster, as YAML documents
  Change change;
  Codes codes;                     // empty when the change is allowed
  std::vector<std::string> named;  // what the message must name
};

class AuthorizationPolicyLockoutTest : public ::testing::Test {
 protected:
  AuthorizationPolicyLockoutTest()
      : harness_(rule_),
        base_cluster_(test_support::readTextFile(testdataPath("authorization_policy_lockout/cluster.yaml"))) {}

  RuleRun run(const std::string& existing, const Change& change) {
    return test_support::runChange(harness_, base_cluster_ + "\n---\n" + existing, change);
  }

  AuthorizationPolicyLockoutRule rule_;
  RuleHarness harness_;
  std::string base_cluster_;
};

void expectOutcome(const Case& test_case, const RuleRun& run) {
  ASSERT_EQ(run.codes(), test_case.codes) << test_case.name << "\n" << run.messages();
  const std::string messages = run.messages();
  for (const std::string& named : test_case.named) {
    EXPECT_NE(messages.find(named), std::string::npos) << test_case.name << ": " << named << "\n" << messages;
  }
  for (const Finding& finding : run.findings) {
    EXPECT_EQ(finding.action, Action::Deny) << test_case.name;
  }
  EXPECT_EQ(messages.find("kube-system/"), std::string::npos) << test_case.name << ": ignored namespaces never count";
}

TEST_F(AuthorizationPolicyLockoutTest, DeniesChangesThatLockWorkloadsOut) {
  const std::vector<Case> cases = {
      {"a mesh-wide allow-nothing with no other ALLOW policy",
       "",
       creating(kMeshDenyAll),
       {"MW0801"},
       {"AuthorizationPolicy istio-system/deny-all (mesh-wide ALLOW): creating it makes 5 pods with an Istio sidecar "
        "reject every request (istio-system/istio-ingressgateway-0, istio-system/public-gateway-0, "
        "payments/deployment/ledger, shop/deployment/api, shop/deployment/web): ",
        "an ALLOW policy without rules allows nothing"}},
      {"a mesh-wide allow-nothing locks out only the workloads no ALLOW policy admits anything to",
       kShopAllowAll + "---\n" + kIngressAllowAll,
       creating(kMeshDenyAll),
       {"MW0801"},
       {"makes 2 pods with an Istio sidecar reject every request (istio-system/public-gateway-0, "
        "payments/deployment/ledger)"}},
      {"spec: {} in one namespace",
       "",
       creating(policy("payments", "deny-all", "{}")),
       {"MW0801"},
       {"(namespace-wide ALLOW): creating it makes 1 pod with an Istio sidecar reject every request "
        "(payments/deployment/ledger)"}},
      {"rules: [] on one workload",
       "",
       creating(policy("shop", "lock-web", "{selector: {matchLabels: {app: web}}, rules: []}")),
       {"MW0801"},
       {"(ALLOW for selector app=web)", "1 pod with an Istio sidecar reject every request (shop/deployment/web)"}},
      {"an update that drops every rule",
       "",
       updating(kShopAllowAll, policy("shop", "allow-shop", "{}")),
       {"MW0801"},
       {"this update makes 2 pods"}},
      {"an allow-nothing aimed at a Gateway by targetRef",
       "",
       creating(policy("istio-system", "lock-public",
                       "{targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: public}]}")),
       {"MW0801"},
       {"(ALLOW on targetRefs Gateway public)", "reject every request (istio-system/public-gateway-0)"}},
      {"a DENY rule without conditions",
       kShopAllowAll,
       creating(policy("shop", "deny", "{action: DENY, rules: [{}]}")),
       {"MW0802"},
       {"2 pods with an Istio sidecar reject every request (shop/deployment/api, shop/deployment/web)",
        "a DENY rule without from, to or when"}},
      {"a DENY rule with \"*\" in every field it sets",
       "",
       creating(policy("payments", "deny-paths",
                       "{action: DENY, rules: [{from: [{source: {principals: [\"*\"]}}], to: [{operation: {paths: "
                       "[\"*\"], methods: [\"*\"]}}]}]}")),
       {"MW0802"},
       {"payments/deployment/ledger"}},
      {"an ALLOW naming only identities its sidecar-less callers cannot present",
       "",
       creating(policy("payments", "from-legacy", "{rules: [{from: [{source: {namespaces: [legacy]}}]}]}")),
       {"MW0803"},
       {"admits only callers with an mTLS identity (source.principals or source.namespaces) to 1 pod with an Istio "
        "sidecar (payments/deployment/ledger)",
        "callers without a sidecar have no principal, and 2 of the callers it names run without one "
        "(legacy/metrics-0, legacy/report-0)"}},
      {"principals name one service account",
       "",
       creating(policy("payments", "from-reporter",
                       "{rules: [{from: [{source: {principals: [\"cluster.local/ns/legacy/sa/reporter\"]}}]}]}")),
       {"MW0803"},
       {"1 of the callers it names runs without one (legacy/report-0)."}},
      {"a namespace pattern",
       "",
       creating(policy("payments", "from-leg", "{rules: [{from: [{source: {namespaces: [\"leg*\"]}}]}]}")),
       {"MW0803"},
       {"2 of the callers"}},
      {"deleting the only ALLOW under a mesh-wide default deny",
       kMeshDenyAll,
       deleting(kShopAllowAll),
       {"MW0804"},
       {"deleting it leaves 2 pods with an Istio sidecar (shop/deployment/api, shop/deployment/web) with no ALLOW "
        "policy that admits anything under the default deny of istio-system/deny-all",
        "Create the ALLOW policy that replaces it first"}},
      {"narrowing the selector of the only ALLOW under a default deny",
       kMeshDenyAll,
       updating(kShopAllowAll, policy("shop", "allow-shop", "{selector: {matchLabels: {app: web}}, rules: [{}]}")),
       {"MW0804"},
       {"this update leaves 1 pod with an Istio sidecar (shop/deployment/api) with no ALLOW"}},
      {"turning the only ALLOW into AUDIT under a default deny",
       kMeshDenyAll,
       updating(kShopAllowAll, policy("shop", "allow-shop", "{action: AUDIT, rules: [{}]}")),
       {"MW0804"},
       {"shop/deployment/api, shop/deployment/web"}},
  };
  for (const Case& test_case : cases) {
    expectOutcome(test_case, run(test_case.existing, test_case.change));
  }
}

TEST_F(AuthorizationPolicyLockoutTest, AllowsChangesThatLeaveTrafficAdmitted) {
  const std::vector<Case> cases = {
      {"a default deny where every workload has its ALLOW policy",
       kShopAllowAll + "---\n" + kIngressAllowAll + "---\n" + kPaymentsAllowShop + "---\n" +
           policy("istio-system", "allow-public", "{targetRef: {kind: Gateway, name: public}, rules: [{}]}"),
       creating(kMeshDenyAll),
       {},
       {}},
      {"an allow-nothing whose selector matches no pod",
       "",
       creating(policy("shop", "lock-nothing", "{selector: {matchLabels: {app: gone}}}")),
       {},
       {}},
      {"a DENY rule with conditions",
       "",
       creating(policy("shop", "deny-legacy", "{action: DENY, rules: [{from: [{source: {namespaces: [legacy]}}]}]}")),
       {},
       {}},
      {"a DENY rule with a negative match",
       "",
       creating(policy("shop", "deny-others",
                       "{action: DENY, rules: [{from: [{source: {notNamespaces: [shop]}}]}]}")),
       {},
       {}},
      {"a DENY rule with when",
       "",
       creating(policy("shop", "deny-when", "{action: DENY, rules: [{when: [{key: \"request.headers[x-bad]\", values: "
                                            "[\"1\"]}]}]}")),
       {},
       {}},
      {"an ALLOW naming identities whose callers all run a sidecar",
       "",
       creating(kPaymentsAllowShop),
       {},
       {}},
      {"an ALLOW naming an ambient namespace: ztunnel gives its pods an identity",
       "",
       creating(policy("payments", "from-ambient", "{rules: [{from: [{source: {namespaces: [ambient]}}]}]}")),
       {},
       {}},
      {"an identity-only ALLOW next to one that admits callers without identity",
       policy("payments", "from-anywhere", "{rules: [{to: [{operation: {methods: [GET]}}]}]}"),
       creating(policy("payments", "from-legacy", "{rules: [{from: [{source: {namespaces: [legacy]}}]}]}")),
       {},
       {}},
      {"an identity-only ALLOW with a second rule for ipBlocks",
       "",
       creating(policy("payments", "from-legacy",
                       "{rules: [{from: [{source: {namespaces: [legacy]}}]}, {from: [{source: {ipBlocks: "
                       "[10.0.0.0/8]}}]}]}")),
       {},
       {}},
      {"re-applying an allow-nothing that is already there",
       "",
       updating(policy("payments", "deny-all", "{}"), policy("payments", "deny-all", "{}")),
       {},
       {}},
      {"deleting an ALLOW with no default deny: the workloads admit everything again",
       "",
       deleting(kShopAllowAll),
       {},
       {}},
      {"deleting an ALLOW when another still admits the workloads",
       kMeshDenyAll + "---\n" + policy("shop", "allow-get", "{rules: [{to: [{operation: {methods: [GET]}}]}]}"),
       deleting(kShopAllowAll),
       {},
       {}},
      {"deleting the default deny itself",
       "",
       deleting(kMeshDenyAll),
       {},
       {}},
      {"CUSTOM and AUDIT policies are left alone",
       "",
       creating(policy("shop", "ext-authz", "{action: CUSTOM, provider: {name: opa}}")),
       {},
       {}},
      {"an AUDIT policy without rules",
       "",
       creating(policy("shop", "audit", "{action: AUDIT}")),
       {},
       {}},
      {"a policy in an ignored namespace",
       "",
       creating(policy("kube-system", "deny-all", "{}")),
       {},
       {}},
  };
  for (const Case& test_case : cases) {
    expectOutcome(test_case, run(test_case.existing, test_case.change));
  }
}

TEST_F(AuthorizationPolicyLockoutTest, ReportsADryRunPolicyForTheAuditLogOnly) {
  const RuleRun run =
      this->run("", creating(policy("istio-system", "deny-all", "{}", "{istio.io/dry-run: \"true\"}")));
  ASSERT_EQ(run.codes(), Codes{"MW0801"}) << run.messages();
  EXPECT_EQ(run.findings[0].action, Action::Audit);
  EXPECT_NE(run.findings[0].message.find("(istio.io/dry-run: reported, not enforced)"), std::string::npos)
      << run.messages();
}

TEST_F(AuthorizationPolicyLockoutTest, NamesAsManyPodsAsConfiguredAndCountsThemAll) {
  harness_.settings().set("maxPodsNamed", std::int64_t{1});
  const RuleRun run = this->run("", creating(kMeshDenyAll));
  ASSERT_EQ(run.codes(), Codes{"MW0801"}) << run.messages();
  EXPECT_NE(run.findings[0].message.find("5 pods with an Istio sidecar reject every request "
                                         "(istio-system/istio-ingressgateway-0 and 4 more)"),
            std::string::npos)
      << run.messages();
}

}  // namespace
}  // namespace meshward::policies
