#include "policies/indexes/gateways_by_name.h"

#include <gtest/gtest.h>

#include "test/support/rule_harness.h"
#include "webhook/cluster/offline_cluster_state.h"

namespace meshward::policies {
namespace {

using json = nlohmann::json;

const cluster::ObjectKey kIngress{"networking.istio.io", "Gateway", "istio-system", "ingress"};

TEST(GatewayNameIndex, KeepsEachGatewaysSyncWaveUntilItIsRemoved) {
  GatewayNameIndex index;
  index.update(kIngress, json::parse(R"({"metadata":{"annotations":{"argocd.argoproj.io/sync-wave":"-1"}}})"));
  ASSERT_TRUE(index.find("istio-system", "ingress").has_value());
  EXPECT_EQ(index.find("istio-system", "ingress")->sync_wave, "-1");
  EXPECT_FALSE(index.find("shop", "ingress").has_value()) << "a Gateway is found in its own namespace only";

  index.update(kIngress, json::parse(R"({"metadata":{"annotations":{"argocd.argoproj.io/sync-wave":3}}})"));
  ASSERT_TRUE(index.find("istio-system", "ingress").has_value());
  EXPECT_EQ(index.find("istio-system", "ingress")->sync_wave, std::nullopt) << "a wave that is not a string is none";

  index.remove(kIngress);
  EXPECT_FALSE(index.find("istio-system", "ingress").has_value());
}

TEST(GatewayNameIndex, IsBuiltFromManifestsAndAbsentWithoutAState) {
  const cluster::OfflineClusterState state(
      std::vector<cluster::Manifest>{cluster::Manifest{
          test_support::objectFromYaml("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: ingress, "
                                       "namespace: istio-system, annotations: {argocd.argoproj.io/sync-wave: \"1\"}}"),
          "gateway.yaml", 1}},
      {&gatewaysByNameIndex()});
  const std::optional<GatewaySummary> found = findGatewaySummary(state, "istio-system", "ingress");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->sync_wave, "1");
  EXPECT_FALSE(findGatewaySummary(state, "istio-system", "egress").has_value());
  EXPECT_FALSE(findGatewaySummary(cluster::NoClusterState(), "istio-system", "ingress").has_value());
}

}  // namespace
}  // namespace meshward::policies
