// strict-mtls-needs-sidecars against the live cache: the pods, their labels and the
// PeerAuthentications come from the API server through list and watch.

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "policies/indexes/pods_without_sidecar.h"

#include "policies/strict_mtls/strict_mtls_rule.h"
#include "test/cluster/kube/live_test_support.h"
#include "test/support/rule_harness.h"
#include "webhook/server/metrics_impl.h"

namespace meshward::cluster::kube {
namespace {

using namespace std::chrono_literals;
using test_support::FakeKubeApiServer;
using test_support::RuleRun;
using testing::waitUntil;

nlohmann::json peerAuthentication(const std::string& namespace_name, const std::string& name,
                                  const nlohmann::json& spec) {
  return {{"apiVersion", "security.istio.io/v1"},
          {"kind", "PeerAuthentication"},
          {"metadata", {{"name", name}, {"namespace", namespace_name}}},
          {"spec", spec}};
}

const nlohmann::json kStrict = {{"mtls", {{"mode", "STRICT"}}}};
const nlohmann::json kPermissive = {{"mtls", {{"mode", "PERMISSIVE"}}}};

TEST(LiveStrictMtls, DeniesUntilAWatchEventGivesThePodItsSidecar) {
  FakeKubeApiServer fake;
  fake.apply(test_support::namespaceObject("istio-system"));
  fake.apply(test_support::namespaceObject("shop", {{"istio-injection", "enabled"}}));
  fake.apply(test_support::namespaceObject("blog"));
  fake.apply(test_support::podObject("shop", "web-0"));
  fake.apply(test_support::podObject("shop", "legacy-0", {.istio_sidecar = false, .labels = {{"app", "legacy"}}}));
  fake.apply(test_support::podObject("shop", "report-0", {.istio_sidecar = false, .labels = {{"app", "report"}}}));
  fake.apply(test_support::podObject("blog", "wordpress-0", {.istio_sidecar = false}));
  fake.apply(peerAuthentication("blog", "allow-plaintext", kPermissive));
  fake.apply(
      peerAuthentication("shop", "report-plaintext",
                         {{"selector", {{"matchLabels", {{"app", "report"}}}}}, {"mtls", {{"mode", "DISABLE"}}}}));

  server::MetricsImpl metrics;
  Result<std::unique_ptr<LiveClusterState>> state =
      LiveClusterState::start(fake.connection(), metrics, testing::requirements(), testing::fastOptions());
  ASSERT_TRUE(state.ok()) << state.error();
  ASSERT_TRUE(waitUntil([&] { return (*state)->ready(); }));
  ASSERT_TRUE(waitUntil([&] { return fake.openWatches() == testing::watchedKindCount(); }));

  const policies::StrictMtlsRule rule;
  test_support::RuleHarness harness(rule);
  test_support::RequestOptions options;
  options.cluster = state->get();
  const nlohmann::json mesh_strict = peerAuthentication("istio-system", "default", kStrict);

  const RuleRun denied = harness.run(mesh_strict, options);
  ASSERT_EQ(denied.codes(), std::vector<std::string>{"MW0401"}) << denied.messages();
  EXPECT_NE(denied.findings[0].message.find("STRICT for 1 pod without an Istio sidecar: shop/legacy-0."),
            std::string::npos)
      << "the blog shield and the workload-level DISABLE for report-0 come from the cache: "
      << denied.findings[0].message;

  fake.apply(test_support::podObject("shop", "legacy-0", {.labels = {{"app", "legacy"}}}));
  ASSERT_TRUE(waitUntil(
      [&] { return policies::podsWithoutSidecar(**state, "shop", 5).names == std::vector<std::string>{"report-0"}; }, 1s));
  const RuleRun allowed = harness.run(mesh_strict, options);
  EXPECT_EQ(allowed.codes(), std::vector<std::string>{}) << allowed.messages();

  ASSERT_TRUE(fake.remove("security.istio.io", "PeerAuthentication", "shop", "report-plaintext"));
  ASSERT_TRUE(waitUntil(
      [&] {
        return (*state)->findObject("security.istio.io", "PeerAuthentication", "shop", "report-plaintext") == nullptr;
      },
      1s));
  const RuleRun unshielded = harness.run(mesh_strict, options);
  ASSERT_EQ(unshielded.codes(), std::vector<std::string>{"MW0401"}) << unshielded.messages();
  EXPECT_NE(unshielded.findings[0].message.find("shop/report-0"), std::string::npos) << unshielded.messages();
}

}  // namespace
}  // namespace meshward::cluster::kube
