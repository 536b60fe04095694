// revision-exists, revision-in-use and injection-kept-under-strict against the live cache: the
// injectors (MutatingWebhookConfigurations), namespaces, pods and PeerAuthentications come from the
// API server through list and watch, and each rule's judgement follows the watch events.

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "policies/control_plane_revisions/revision_exists_rule.h"
#include "policies/control_plane_revisions/revision_in_use_rule.h"
#include "policies/indexes/istio_injectors.h"
#include "policies/indexes/pods_without_sidecar.h"
#include "policies/injection_kept_under_strict/injection_kept_under_strict_rule.h"
#include "test/cluster/kube/live_test_support.h"
#include "test/support/rule_harness.h"
#include "webhook/server/metrics_impl.h"

namespace meshward::cluster::kube {
namespace {

using namespace std::chrono_literals;
using test_support::FakeKubeApiServer;
using test_support::RuleRun;
using testing::waitUntil;

using Codes = std::vector<std::string>;

nlohmann::json injector(const std::string& name, const std::string& revision) {
  return {{"apiVersion", "admissionregistration.k8s.io/v1"},
          {"kind", "MutatingWebhookConfiguration"},
          {"metadata", {{"name", name}, {"labels", {{"istio.io/rev", revision}}}}},
          {"webhooks", nlohmann::json::array()}};
}

nlohmann::json istiod(const std::string& name, const std::string& revision) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata",
           {{"name", name}, {"namespace", "istio-system"}, {"labels", {{"app", "istiod"}, {"istio.io/rev", revision}}}}}};
}

nlohmann::json strictPeerAuthentication(const std::string& namespace_name) {
  return {{"apiVersion", "security.istio.io/v1"},
          {"kind", "PeerAuthentication"},
          {"metadata", {{"name", "strict"}, {"namespace", namespace_name}}},
          {"spec", {{"mtls", {{"mode", "STRICT"}}}}}};
}

class LiveControlPlaneRevisions : public ::testing::Test {
 protected:
  void start() {
    state_ = LiveClusterState::start(fake_.connection(), metrics_, testing::requirements(), testing::fastOptions());
    ASSERT_TRUE(state_.ok()) << state_.error();
    ASSERT_TRUE(waitUntil([&] { return (*state_)->ready(); }));
    ASSERT_TRUE(waitUntil([&] { return fake_.openWatches() == testing::watchedKindCount(); }));
    options_.cluster = state_->get();
  }

  FakeKubeApiServer fake_;
  server::MetricsImpl metrics_;
  Result<std::unique_ptr<LiveClusterState>> state_ = Error{"not started"};
  test_support::RequestOptions options_;
};

TEST_F(LiveControlPlaneRevisions, ARevisionIsServedOnceItsInjectorIsWatched) {
  fake_.apply(test_support::namespaceObject("istio-system"));
  fake_.apply(injector("istio-sidecar-injector", "default"));
  start();
  const policies::RevisionExistsRule rule;
  test_support::RuleHarness harness(rule);
  const nlohmann::json canary_namespace = test_support::namespaceObject("shop", {{"istio.io/rev", "canary"}});

  const RuleRun denied = harness.run(canary_namespace, options_);
  ASSERT_EQ(denied.codes(), Codes{"MW0902"}) << denied.messages();
  EXPECT_NE(denied.messages().find("(the cluster's: default)"), std::string::npos) << denied.messages();

  fake_.apply(injector("istio-sidecar-injector-canary", "canary"));
  ASSERT_TRUE(waitUntil([&] { return policies::istioInjectors(**state_).serves("canary"); }, 1s));
  EXPECT_EQ(harness.run(canary_namespace, options_).codes(), Codes{});
}

TEST_F(LiveControlPlaneRevisions, AnIstiodIsFreeToGoOnceNoNamespaceSelectsItAndNoPodRunsItsSidecar) {
  fake_.apply(test_support::namespaceObject("istio-system"));
  fake_.apply(injector("istio-sidecar-injector", "default"));
  fake_.apply(injector("istio-sidecar-injector-canary", "canary"));
  fake_.apply(test_support::namespaceObject("shop", {{"istio-injection", "enabled"}}));
  fake_.apply(test_support::podObject("shop", "web-0"));  // injected by the default revision
  start();
  const policies::RevisionInUseRule rule;
  test_support::RuleHarness harness(rule);
  test_support::RequestOptions deleting = options_;
  deleting.operation = "DELETE";
  deleting.old_object = istiod("istiod", "default");

  const RuleRun in_use = harness.run(nullptr, deleting);
  ASSERT_EQ(in_use.codes(), Codes{"MW0901"}) << in_use.messages();
  EXPECT_NE(in_use.messages().find("1 namespace selects it (shop) and 1 pod runs its sidecar"), std::string::npos)
      << in_use.messages();

  fake_.apply(test_support::namespaceObject("shop", {{"istio.io/rev", "canary"}}));
  ASSERT_TRUE(waitUntil([&] {
    return harness.runAsGiven(nullptr, deleting).messages().find("namespace selects") == std::string::npos;
  }, 1s));
  const RuleRun restarting = harness.run(nullptr, deleting);
  ASSERT_EQ(restarting.codes(), Codes{"MW0901"}) << restarting.messages();
  EXPECT_NE(restarting.messages().find("still in use: 1 pod runs its sidecar"), std::string::npos)
      << "the pod keeps the default revision's sidecar until it is restarted: " << restarting.messages();

  ASSERT_TRUE(fake_.remove("", "Pod", "shop", "web-0"));
  ASSERT_TRUE(waitUntil([&] { return policies::podsWithSidecarIn(**state_, "shop").empty(); }, 1s));
  EXPECT_EQ(harness.run(nullptr, deleting).codes(), Codes{});
}

TEST_F(LiveControlPlaneRevisions, EndingInjectionIsDeniedUnderStrictAndOnlyWarnedWithoutIt) {
  fake_.apply(test_support::namespaceObject("istio-system"));
  fake_.apply(test_support::namespaceObject("shop", {{"istio-injection", "enabled"}}));
  fake_.apply(test_support::podObject("shop", "web-0"));
  fake_.apply(strictPeerAuthentication("shop"));
  start();
  const policies::InjectionKeptUnderStrictRule rule;
  test_support::RuleHarness harness(rule);
  test_support::RequestOptions updating = options_;
  updating.operation = "UPDATE";
  updating.old_object = test_support::namespaceObject("shop", {{"istio-injection", "enabled"}});
  const nlohmann::json leaving = test_support::namespaceObject("shop");

  const RuleRun denied = harness.run(leaving, updating);
  ASSERT_EQ(denied.codes(), Codes{"MW0903"}) << denied.messages();
  EXPECT_NE(denied.messages().find("(shop/web-0; PeerAuthentication shop/strict)"), std::string::npos)
      << denied.messages();

  ASSERT_TRUE(fake_.remove("security.istio.io", "PeerAuthentication", "shop", "strict"));
  ASSERT_TRUE(waitUntil([&] { return harness.runAsGiven(leaving, updating).codes() == Codes{"MW0904"}; }, 1s));
  const RuleRun warned = harness.run(leaving, updating);
  ASSERT_EQ(warned.codes(), Codes{"MW0904"}) << warned.messages();
  EXPECT_EQ(warned.findings[0].action, policies::Action::Warn);
}

}  // namespace
}  // namespace meshward::cluster::kube
