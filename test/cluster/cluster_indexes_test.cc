#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/destination_host.h"
#include "webhook/cluster/destination_rule_host_index.h"
#include "webhook/cluster/pod_sidecar_index.h"

namespace meshward::cluster {
namespace {

using json = nlohmann::json;

json pod(const std::string& containers, const std::string& extra_spec = "", const std::string& phase = "Running") {
  return json::parse(R"({"metadata":{"name":"p"},"spec":{"containers":)" + containers + extra_spec +
                     R"(},"status":{"phase":")" + phase + R"("}})");
}

TEST(PodRunsWithoutSidecar, JudgesTheContainersThatRun) {
  EXPECT_TRUE(podRunsWithoutSidecar(pod(R"([{"name":"app"}])")));
  EXPECT_FALSE(podRunsWithoutSidecar(pod(R"([{"name":"app"},{"name":"istio-proxy"}])")));
  EXPECT_FALSE(podRunsWithoutSidecar(pod(R"([{"name":"app"},{"name":"linkerd-proxy"}])")));
  EXPECT_FALSE(podRunsWithoutSidecar(
      pod(R"([{"name":"app"}])", R"(,"initContainers":[{"name":"istio-proxy","restartPolicy":"Always"}])")))
      << "a native sidecar runs for the pod's whole life";
  EXPECT_TRUE(podRunsWithoutSidecar(pod(R"([{"name":"app"}])", R"(,"initContainers":[{"name":"istio-proxy"}])")))
      << "a plain init container exits before the application starts";
}

TEST(PodRunsWithoutSidecar, IgnoresWhatThePodOnlyAsksFor) {
  json asking = pod(R"([{"name":"app"}])");
  asking["metadata"]["labels"] = {{"sidecar.istio.io/inject", "true"}};
  EXPECT_TRUE(podRunsWithoutSidecar(asking)) << "an existing pod without the container has no sidecar";
}

TEST(PodRunsWithoutSidecar, FinishedPodsDoNotCount) {
  EXPECT_FALSE(podRunsWithoutSidecar(pod(R"([{"name":"job"}])", "", "Succeeded")));
  EXPECT_FALSE(podRunsWithoutSidecar(pod(R"([{"name":"job"}])", "", "Failed")));
  EXPECT_TRUE(podRunsWithoutSidecar(pod(R"([{"name":"job"}])", "", "Pending")));
}

TEST(PodRunsWithoutSidecar, ToleratesObjectsOfTheWrongShape) {
  EXPECT_FALSE(podRunsWithoutSidecar(json::array()));
  EXPECT_TRUE(podRunsWithoutSidecar(json::parse(R"({"spec":{"containers":"nonsense"}})")));
}

TEST(PodSidecarIndex, CountsAndNamesPodsWithoutSidecarPerNamespace) {
  PodSidecarIndex index;
  index.update("shop", "web-2", true);
  index.update("shop", "web-1", true);
  index.update("shop", "web-3", false);
  index.update("shop", "web-4", true);
  index.update("other", "db-0", true);

  const PodsWithoutSidecar shop = index.query("shop", 2);
  EXPECT_EQ(shop.count, 3u);
  EXPECT_EQ(shop.names, (std::vector<std::string>{"web-1", "web-2"}));
  EXPECT_EQ(index.query("other", 10).count, 1u);
  EXPECT_EQ(index.query("absent", 10).count, 0u);
  EXPECT_TRUE(index.query("absent", 10).names.empty());

  index.update("shop", "web-1", false);  // got its sidecar
  index.remove("shop", "web-2");
  index.remove("shop", "never-there");
  EXPECT_EQ(index.query("shop", 10).names, (std::vector<std::string>{"web-4"}));
  index.remove("other", "db-0");
  EXPECT_EQ(index.query("other", 10).count, 0u);
}

TEST(DestinationHost, ResolvesShortNamesInTheRulesNamespace) {
  EXPECT_EQ(resolveServiceHost("reviews", "shop"), "reviews.shop.svc.cluster.local");
  EXPECT_EQ(resolveServiceHost("Reviews", "shop"), "reviews.shop.svc.cluster.local");
  EXPECT_EQ(resolveServiceHost("reviews.other.svc.cluster.local", "shop"), "reviews.other.svc.cluster.local");
  EXPECT_EQ(resolveServiceHost("reviews.other", "shop"), "reviews.other") << "Istio only expands names without a dot";
  EXPECT_EQ(resolveServiceHost("*.example.com", "shop"), "*.example.com");
  EXPECT_EQ(resolveServiceHost("", "shop"), "");
}

json destinationRule(const std::string& host, const std::string& subsets) {
  return json::parse(R"({"spec":{"host":")" + host + R"(","subsets":)" + subsets + "}}");
}

TEST(DestinationRuleHostIndex, FindsSubsetsByResolvedHost) {
  DestinationRuleHostIndex index;
  index.update("shop", "reviews", destinationRule("reviews", R"([{"name":"v1"},{"name":"v2"},{"nameless":1}])"));
  index.update("other", "reviews-fqdn", destinationRule("reviews.shop.svc.cluster.local", R"([{"name":"v3"}])"));
  index.update("other", "reviews", destinationRule("reviews", "[]"));

  const std::vector<DestinationRuleSubsets> rules = index.query("reviews.shop.svc.cluster.local");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0], (DestinationRuleSubsets{"other", "reviews-fqdn", "reviews.shop.svc.cluster.local", {"v3"}, {}}));
  EXPECT_EQ(rules[1], (DestinationRuleSubsets{"shop", "reviews", "reviews", {"v1", "v2"}, {}}));
  EXPECT_EQ(index.query("REVIEWS.other.svc.cluster.local").size(), 1u);
  EXPECT_TRUE(index.query("ratings.shop.svc.cluster.local").empty());
}

TEST(DestinationRuleHostIndex, MovesARuleWhoseHostChangesAndForgetsRemovedOnes) {
  DestinationRuleHostIndex index;
  index.update("shop", "dr", destinationRule("reviews", R"([{"name":"v1"}])"));
  index.update("shop", "dr", destinationRule("ratings", R"([{"name":"v2"}])"));
  EXPECT_TRUE(index.query("reviews.shop.svc.cluster.local").empty());
  ASSERT_EQ(index.query("ratings.shop.svc.cluster.local").size(), 1u);
  EXPECT_EQ(index.query("ratings.shop.svc.cluster.local")[0].subsets, std::vector<std::string>{"v2"});

  index.update("shop", "dr", json::parse(R"({"spec":{"subsets":[]}})"));
  EXPECT_TRUE(index.query("ratings.shop.svc.cluster.local").empty()) << "a rule without a host is not indexed";
  index.update("shop", "dr", destinationRule("ratings", "[]"));
  index.remove("shop", "dr");
  index.remove("shop", "dr");
  EXPECT_TRUE(index.query("ratings.shop.svc.cluster.local").empty());
}

class TinyState final : public ClusterState {
 public:
  bool available() const override { return true; }
  bool ready() const override { return true; }
  std::optional<NamespaceInfo> findNamespace(std::string_view) const override { return std::nullopt; }
  std::shared_ptr<const json> findObject(std::string_view group, std::string_view kind, std::string_view namespace_name,
                                         std::string_view name) const override {
    asked = std::string(group) + "|" + std::string(kind) + "|" + std::string(namespace_name) + "|" + std::string(name);
    return std::make_shared<const json>(json::object());
  }
  mutable std::string asked;
};

TEST(ClusterState, FindsGatewaysTheWayVirtualServicesNameThem) {
  const TinyState state;
  EXPECT_NE(state.findGateway("istio-system/ingress", "shop"), nullptr);
  EXPECT_EQ(state.asked, "networking.istio.io|Gateway|istio-system|ingress");
  EXPECT_NE(state.findGateway("ingress", "shop"), nullptr);
  EXPECT_EQ(state.asked, "networking.istio.io|Gateway|shop|ingress");
  state.asked.clear();
  EXPECT_EQ(state.findGateway("mesh", "shop"), nullptr);
  EXPECT_EQ(state.findGateway("", "shop"), nullptr);
  EXPECT_EQ(state.asked, "") << "the reserved name mesh is not a Gateway object";
}

TEST(ClusterState, NoClusterStateKnowsNothing) {
  const NoClusterState state;
  EXPECT_FALSE(state.available());
  EXPECT_FALSE(state.tracksKind("", "Pod"));
  EXPECT_EQ(state.findObject("", "Pod", "shop", "web"), nullptr);
  EXPECT_EQ(state.podsWithoutSidecar("shop", 5).count, 0u);
  EXPECT_TRUE(state.destinationRulesForHost("reviews.shop.svc.cluster.local").empty());
  bool visited = false;
  state.forEachObject("", "Pod", [&](const ObjectKey&, const json&) { visited = true; });
  state.forEachObjectInNamespace("", "Pod", "shop", [&](const ObjectKey&, const json&) { visited = true; });
  EXPECT_FALSE(visited);
}

}  // namespace
}  // namespace meshward::cluster
