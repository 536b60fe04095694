#include "policies/injection_kept_under_strict/injection_kept_under_strict_rule.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::RuleHarness;
using test_support::RuleRun;
using test_support::testdataPath;
using test_support::updating;

using Codes = std::vector<std::string>;

std::string namespaceWith(const std::string& name, const std::string& labels) {
  return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + ", labels: " + labels + "}\n";
}

struct Case {
  std::string name;
  std::string existing;  // added to the base cluster
  std::string old_labels;
  std::string new_labels;
  std::string namespace_name;
  Codes codes;                     // empty when the update passes without a finding
  std::vector<std::string> named;  // what the message must say
};

class InjectionKeptUnderStrictTest : public ::testing::Test {
 protected:
  InjectionKeptUnderStrictTest()
      : harness_(rule_),
        base_cluster_(test_support::readTextFile(testdataPath("injection_kept_under_strict/cluster.yaml"))) {}

  RuleRun run(const Case& test_case) {
    return test_support::runChange(
        harness_, base_cluster_ + (test_case.existing.empty() ? "" : "\n---\n" + test_case.existing),
        updating(namespaceWith(test_case.namespace_name, test_case.old_labels),
                 namespaceWith(test_case.namespace_name, test_case.new_labels)));
  }

  void expectOutcome(const Case& test_case, Action action) {
    const RuleRun run = this->run(test_case);
    ASSERT_EQ(run.codes(), test_case.codes) << test_case.name << "\n" << run.messages();
    for (const std::string& named : test_case.named) {
      EXPECT_NE(run.messages().find(named), std::string::npos) << test_case.name << ": " << named << "\n"
                                                               << run.messages();
    }
    for (const Finding& finding : run.findings) {
      EXPECT_EQ(finding.action, action) << test_case.name;
    }
  }

  InjectionKeptUnderStrictRule rule_;
  RuleHarness harness_;
  std::string base_cluster_;
};

const std::string kMeshWideStrict =
    "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: "
    "istio-system}\nspec: {mtls: {mode: STRICT}}\n";

TEST_F(InjectionKeptUnderStrictTest, DeniesEndingInjectionWherePodsDependOnTheirSidecar) {
  const std::vector<Case> cases = {
      {"istio-injection removed under a namespace-wide STRICT",
       "", "{istio-injection: enabled}", "{team: shop}", "shop",
       {"MW0903"},
       {"Namespace shop: this update (istio-injection=enabled removed) ends sidecar injection for 1 pod that runs an "
        "Istio sidecar now (shop/deployment/web): their next rollout creates them without one. STRICT mTLS covers 1 "
        "of them (shop/deployment/web; PeerAuthentication shop/strict)",
        "Keep the namespace injected"}},
      {"istio-injection set to disabled",
       "", "{istio-injection: enabled}", "{istio-injection: disabled}", "shop",
       {"MW0903"},
       {"(istio-injection enabled -> disabled)"}},
      {"istio.io/rev moved to a revision without an injector, under an AuthorizationPolicy",
       "", "{istio.io/rev: canary}", "{istio.io/rev: 1-21}", "payments",
       {"MW0903"},
       {"(istio.io/rev canary -> 1-21)", "AuthorizationPolicy payments/allow-shop applies to 1 of them, and without "
        "a sidecar nothing enforces it"}},
      {"disabled overrides the pods' own revision labels",
       "", "{istio-injection: enabled}", "{istio-injection: disabled}", "search",
       {"MW0903"},
       {"search/deployment/indexer"}},
      {"a mesh-wide STRICT covers the namespace",
       kMeshWideStrict, "{istio-injection: enabled}", "{}", "blog",
       {"MW0903"},
       {"blog/blog-0; PeerAuthentication istio-system/default"}},
  };
  for (const Case& test_case : cases) {
    expectOutcome(test_case, Action::Deny);
  }
}

TEST_F(InjectionKeptUnderStrictTest, WarnsWhenNothingThereDependsOnTheSidecar) {
  expectOutcome({"nothing STRICT, no AuthorizationPolicy",
                 "", "{istio-injection: enabled}", "{}", "blog",
                 {"MW0904"},
                 {"ends sidecar injection for 1 pod", "(blog/blog-0)", "Nothing there is STRICT"}},
                Action::Warn);
}

TEST_F(InjectionKeptUnderStrictTest, AllowsUpdatesThatKeepInjection) {
  const std::vector<Case> cases = {
      {"moved to another revision with an injector",
       "", "{istio.io/rev: canary}", "{istio.io/rev: default}", "payments", {}, {}},
      {"from istio-injection to istio.io/rev", "", "{istio-injection: enabled}", "{istio.io/rev: canary}", "shop", {}, {}},
      {"the pods ask an injector themselves", "", "{istio-injection: enabled}", "{}", "search", {}, {}},
      {"a namespace without pods", kMeshWideStrict, "{istio-injection: enabled}", "{}", "empty", {}, {}},
      {"another label changes", "", "{istio-injection: enabled}", "{istio-injection: enabled, team: a}", "shop", {}, {}},
      {"a namespace that was not injected", kMeshWideStrict, "{}", "{team: a}", "legacy", {}, {}},
  };
  for (const Case& test_case : cases) {
    expectOutcome(test_case, Action::Deny);
  }
}

}  // namespace
}  // namespace meshward::policies
