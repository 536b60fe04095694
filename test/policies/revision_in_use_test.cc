#include "policies/control_plane_revisions/revision_in_use_rule.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::Change;
using test_support::deleting;
using test_support::RuleHarness;
using test_support::RuleRun;
using test_support::testdataPath;

using Codes = std::vector<std::string>;

// A control-plane Deployment or Service as istiod's chart labels it.
std::string istiod(const std::string& kind, const std::string& name, const std::string& revision) {
  return std::string(kind == "Service" ? "apiVersion: v1\n" : "apiVersion: apps/v1\n") + "kind: " + kind +
         "\nmetadata: {name: " + name + ", namespace: istio-system, labels: {app: istiod, istio: pilot" +
         (revision.empty() ? "" : ", istio.io/rev: " + revision) + "}}\nspec: {}\n";
}

struct Case {
  std::string name;
  std::string existing;  // added to the base cluster, as YAML documents
  Change change;
  Codes codes;                     // empty when the deletion is allowed
  std::vector<std::string> named;  // what the message must say
};

class RevisionInUseTest : public ::testing::Test {
 protected:
  RevisionInUseTest()
      : harness_(rule_),
        base_cluster_(test_support::readTextFile(testdataPath("control_plane_revisions/cluster.yaml"))) {}

  RuleRun run(const std::string& existing, const Change& change) {
    return test_support::runChange(harness_, base_cluster_ + (existing.empty() ? "" : "\n---\n" + existing), change);
  }

  RevisionInUseRule rule_;
  RuleHarness harness_;
  std::string base_cluster_;
};

TEST_F(RevisionInUseTest, DeniesDeletingARevisionsControlPlaneWhileItIsUsedAndAllowsItOnceNothingIs) {
  const std::vector<Case> cases = {
      // Denied.
      {"the canary istiod Deployment: namespaces select it by name and by tag, pods run its sidecar",
       "",
       deleting(istiod("Deployment", "istiod-canary", "canary")),
       {"MW0901"},
       {"Deployment istio-system/istiod-canary is the control plane of Istio revision canary (and its tag prod), and "
        "it is still in use: 2 namespaces select it (payments (tag prod), search) and 2 pods run its sidecar.",
        "kubectl label namespace NAME istio.io/rev=OTHER --overwrite", "istioctl tag set TAG --revision OTHER"}},
      {"the canary istiod Service, by its labels",
       "",
       deleting(istiod("Service", "istiod-canary", "canary")),
       {"MW0901"},
       {"Service istio-system/istiod-canary is the control plane of Istio revision canary"}},
      {"the default revision's istiod: istio-injection=enabled selects it",
       "",
       deleting(istiod("Deployment", "istiod", "default")),
       {"MW0901"},
       {"revision default, and it is still in use: 2 namespaces select it (billing, shop) and 1 pod runs its sidecar."}},
      {"an istiod without istio.io/rev, known by its name and app label",
       "",
       deleting(istiod("Service", "istiod", "")),
       {"MW0901"},
       {"revision default,"}},
      {"a pod keeps the sidecar it was injected with after its namespace moved on",
       "",
       deleting(istiod("Deployment", "istiod-canary", "canary")),
       {"MW0901"},
       {"2 pods run its sidecar"}},
      // Allowed.
      {"a revision nothing selects",
       "",
       deleting(istiod("Deployment", "istiod-1-21", "1-21")),
       {},
       {}},
      {"the default revision once the default tag points at canary and no pod runs it",
       "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: "
       "istio-revision-tag-default, labels: {istio.io/rev: canary, istio.io/tag: default}}\n",
       deleting(istiod("Deployment", "istiod", "default")),
       {},
       {}},
      {"a Deployment that is not a control plane",
       "",
       deleting("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop, labels: {app: web}}\n"),
       {},
       {}},
      {"a Deployment named like istiod without the control plane's labels",
       "",
       deleting("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istiod-exporter, namespace: monitoring}\n"),
       {},
       {}},
  };
  for (const Case& test_case : cases) {
    const RuleRun run = this->run(test_case.existing, test_case.change);
    ASSERT_EQ(run.codes(), test_case.codes) << test_case.name << "\n" << run.messages();
    for (const std::string& named : test_case.named) {
      EXPECT_NE(run.messages().find(named), std::string::npos) << test_case.name << ": " << named << "\n"
                                                               << run.messages();
    }
  }
}

TEST_F(RevisionInUseTest, NamesAsManyNamespacesAsConfiguredAndCountsThemAll) {
  harness_.settings().set("maxNamespacesNamed", std::int64_t{1});
  const RuleRun run = this->run("", deleting(istiod("Deployment", "istiod-canary", "canary")));
  ASSERT_EQ(run.codes(), Codes{"MW0901"}) << run.messages();
  EXPECT_NE(run.messages().find("2 namespaces select it (payments (tag prod) and 1 more)"), std::string::npos)
      << run.messages();
}

TEST_F(RevisionInUseTest, IgnoredNamespacesDoNotCount) {
  const RuleRun run = this->run(
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system, labels: {istio.io/rev: 1-21}}\n",
      deleting(istiod("Deployment", "istiod-1-21", "1-21")));
  EXPECT_EQ(run.codes(), Codes{}) << run.messages();
}

}  // namespace
}  // namespace meshward::policies
