// The make-before-break rules against the live cluster-state cache: the VirtualServices that
// hold a subset or a Gateway in place are followed through watch events.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policies/make_before_break/referenced_gateway_removal_rule.h"
#include "policies/make_before_break/referenced_subset_removal_rule.h"
#include "test/cluster/kube/live_test_support.h"
#include "test/support/rule_harness.h"
#include "webhook/server/metrics_impl.h"

namespace meshward::cluster::kube {
namespace {

using namespace std::chrono_literals;
using test_support::FakeKubeApiServer;
using test_support::RequestOptions;
using test_support::RuleHarness;
using testing::waitUntil;

using Codes = std::vector<std::string>;

class MakeBeforeBreakLiveTest : public ::testing::Test {
 protected:
  std::unique_ptr<LiveClusterState> startSynced(const FakeKubeApiServer& fake) {
    Result<std::unique_ptr<LiveClusterState>> state =
        LiveClusterState::start(fake.connection(), metrics_, testing::requirements(), testing::fastOptions());
    if (!state) {
      ADD_FAILURE() << state.error();
      return nullptr;
    }
    if (!waitUntil([&] { return (*state)->ready(); })) {
      ADD_FAILURE() << "not ready";
    }
    return std::move(*state);
  }

  server::MetricsImpl metrics_;
};

TEST_F(MakeBeforeBreakLiveTest, SubsetRemovalIsDeniedUntilTheVirtualServiceStopsUsingIt) {
  FakeKubeApiServer fake;
  const nlohmann::json v1_and_v2 = test_support::destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2"});
  fake.apply(v1_and_v2);
  fake.apply(test_support::virtualServiceObject("shop", "reviews", {"reviews/v1", "reviews/v2"},
                                                {.hosts = {"reviews"}, .gateways = {"mesh"}}));
  auto state = startSynced(fake);
  ASSERT_NE(state, nullptr);

  const policies::ReferencedSubsetRemovalRule rule;
  const RuleHarness harness(rule);
  RequestOptions update;
  update.operation = "UPDATE";
  update.old_object = v1_and_v2;
  update.cluster = state.get();
  const nlohmann::json only_v1 = test_support::destinationRuleObject("shop", "reviews", "reviews", {"v1"});
  const test_support::RuleRun denied = harness.run(only_v1, update);
  EXPECT_EQ(denied.codes(), Codes{"MW0601"}) << denied.messages();
  EXPECT_NE(denied.messages().find("shop/reviews"), std::string::npos) << denied.messages();

  fake.apply(test_support::virtualServiceObject("shop", "reviews", {"reviews/v1"},
                                                {.hosts = {"reviews"}, .gateways = {"mesh"}}));
  EXPECT_TRUE(waitUntil([&] { return harness.runAsGiven(only_v1, update).findings.empty(); }, 1s));
  EXPECT_TRUE(harness.run(only_v1, update).findings.empty()) << harness.run(only_v1, update).messages();
}

TEST_F(MakeBeforeBreakLiveTest, GatewayDeletionIsDeniedUntilNoVirtualServiceBindsToIt) {
  FakeKubeApiServer fake;
  const nlohmann::json ingress = test_support::gatewayObject("istio-system", "ingress");
  fake.apply(ingress);
  fake.apply(test_support::virtualServiceObject("shop", "reviews", {"reviews/v1"},
                                                {.hosts = {"reviews"}, .gateways = {"istio-system/ingress"}}));
  auto state = startSynced(fake);
  ASSERT_NE(state, nullptr);

  const policies::ReferencedGatewayRemovalRule rule;
  const RuleHarness harness(rule);
  RequestOptions deletion;
  deletion.operation = "DELETE";
  deletion.old_object = ingress;
  deletion.cluster = state.get();
  EXPECT_EQ(harness.run(nlohmann::json(), deletion).codes(), Codes{"MW0602"});

  ASSERT_TRUE(fake.remove("networking.istio.io", "VirtualService", "shop", "reviews"));
  EXPECT_TRUE(waitUntil([&] { return harness.runAsGiven(nlohmann::json(), deletion).findings.empty(); }, 1s));
  EXPECT_TRUE(harness.run(nlohmann::json(), deletion).findings.empty());
}

}  // namespace
}  // namespace meshward::cluster::kube
