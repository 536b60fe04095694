#include "policies/control_plane_revisions/revision_exists_rule.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::Change;
using test_support::creating;
using test_support::RuleHarness;
using test_support::RuleRun;
using test_support::testdataPath;
using test_support::updating;

using Codes = std::vector<std::string>;

std::string namespaceWith(const std::string& name, const std::string& labels) {
  return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + ", labels: " + labels + "}\n";
}

std::string deploymentWith(const std::string& template_labels, const std::string& owner = "") {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: legacy" +
         (owner.empty() ? "" : ", ownerReferences: [" + owner + "]") +
         "}\nspec:\n  template:\n    metadata: {labels: " + template_labels +
         "}\n    spec: {containers: [{name: api}]}\n";
}

struct Case {
  std::string name;
  Change change;
  Codes codes;                     // empty when the change is allowed
  std::vector<std::string> named;  // what the message must say
};

class RevisionExistsTest : public ::testing::Test {
 protected:
  RevisionExistsTest()
      : harness_(rule_),
        base_cluster_(test_support::readTextFile(testdataPath("control_plane_revisions/cluster.yaml"))) {}

  RuleRun run(const Change& change, const std::string& cluster = "") {
    return test_support::runChange(harness_, cluster.empty() ? base_cluster_ : cluster, change);
  }

  RevisionExistsRule rule_;
  RuleHarness harness_;
  std::string base_cluster_;
};

TEST_F(RevisionExistsTest, DeniesRevisionsWithoutAnInjectorAndAllowsTheOnesServed) {
  const std::vector<Case> cases = {
      // Denied.
      {"a namespace naming a mistyped revision",
       creating(namespaceWith("orders", "{istio.io/rev: canery}")),
       {"MW0902"},
       {"Namespace orders: istio.io/rev=canery names no control-plane revision or revision tag that has a sidecar "
        "injector (the cluster's: canary, default; tags: prod -> canary)",
        "Use one of those names (istioctl tag list), or install revision canery first."}},
      {"a namespace moved to a revision that was removed",
       updating(namespaceWith("search", "{istio.io/rev: canary}"), namespaceWith("search", "{istio.io/rev: 1-21}")),
       {"MW0902"},
       {"Namespace search: istio.io/rev=1-21"}},
      {"a Deployment whose pod template names an unknown tag",
       creating(deploymentWith("{app: api, istio.io/rev: stable}")),
       {"MW0902"},
       {"Deployment legacy/api: istio.io/rev=stable on its pod template names no control-plane revision"}},
      {"a bare Pod",
       creating("apiVersion: v1\nkind: Pod\nmetadata: {name: debug, namespace: legacy, labels: {istio.io/rev: "
                "canary2}}\nspec: {containers: [{name: debug}]}\n"),
       {"MW0902"},
       {"Pod legacy/debug: istio.io/rev=canary2 names"}},
      // Allowed.
      {"a revision", creating(namespaceWith("orders", "{istio.io/rev: canary}")), {}, {}},
      {"a tag", creating(namespaceWith("orders", "{istio.io/rev: prod}")), {}, {}},
      {"the default revision by istio-injection", creating(namespaceWith("orders", "{istio-injection: enabled}")), {}, {}},
      {"istio-injection=disabled wins over istio.io/rev",
       creating(namespaceWith("orders", "{istio-injection: disabled, istio.io/rev: gone}")),
       {},
       {}},
      {"an update that leaves an already unserved revision as it was",
       updating(namespaceWith("orders", "{istio.io/rev: gone}"), namespaceWith("orders", "{istio.io/rev: gone, team: a}")),
       {},
       {}},
      {"a workload made by a controller is judged at its owner",
       creating(deploymentWith("{istio.io/rev: stable}",
                               "{apiVersion: example.com/v1, kind: App, name: api, uid: 1, controller: true}")),
       {},
       {}},
      {"a pod that opts out of injection",
       creating("apiVersion: v1\nkind: Pod\nmetadata: {name: debug, namespace: legacy, labels: {istio.io/rev: gone, "
                "sidecar.istio.io/inject: \"false\"}}\nspec: {containers: [{name: debug}]}\n"),
       {},
       {}},
  };
  for (const Case& test_case : cases) {
    const RuleRun run = this->run(test_case.change);
    ASSERT_EQ(run.codes(), test_case.codes) << test_case.name << "\n" << run.messages();
    for (const std::string& named : test_case.named) {
      EXPECT_NE(run.messages().find(named), std::string::npos) << test_case.name << ": " << named << "\n"
                                                               << run.messages();
    }
  }
}

TEST_F(RevisionExistsTest, WithoutAnyInjectorInViewThereIsNothingToCompareAgainst) {
  const RuleRun run = this->run(creating(namespaceWith("orders", "{istio.io/rev: canary}")),
                                "apiVersion: v1\nkind: Namespace\nmetadata: {name: legacy}\n");
  EXPECT_EQ(run.codes(), Codes{}) << run.messages();
}

}  // namespace
}  // namespace meshward::policies
