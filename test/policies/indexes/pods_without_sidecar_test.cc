#include "policies/indexes/pods_without_sidecar.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policies/common/destination_host.h"
#include "policies/common/virtual_service_references.h"
#include "policies/indexes/destination_rules_by_host.h"
#include "test/support/fake_cluster_objects.h"
#include "webhook/cluster/cluster_state.h"

namespace meshward::policies {
namespace {

using cluster::Labels;
using cluster::NamespaceInfo;
using cluster::ObjectKey;

using json = nlohmann::json;
using test_support::destinationRuleObject;

json pod(const std::string& containers, const std::string& extra_spec = "", const std::string& phase = "Running") {
  return json::parse(R"({"metadata":{"name":"p","labels":{"app":"web"}},"spec":{"containers":)" + containers +
                     extra_spec + R"(},"status":{"phase":")" + phase + R"("}})");
}

bool runsWithoutSidecar(const json& object) { return runningPodWithoutSidecar("p", object).has_value(); }

TEST(RunningPodWithoutSidecar, JudgesTheContainersThatRun) {
  EXPECT_TRUE(runsWithoutSidecar(pod(R"([{"name":"app"}])")));
  EXPECT_FALSE(runsWithoutSidecar(pod(R"([{"name":"app"},{"name":"istio-proxy"}])")));
  EXPECT_TRUE(runsWithoutSidecar(pod(R"([{"name":"app"},{"name":"linkerd-proxy"}])")))
      << "a Linkerd proxy does not speak Istio's mutual TLS";
  EXPECT_FALSE(runsWithoutSidecar(
      pod(R"([{"name":"app"}])", R"(,"initContainers":[{"name":"istio-proxy","restartPolicy":"Always"}])")))
      << "a native sidecar runs for the pod's whole life";
  EXPECT_TRUE(runsWithoutSidecar(pod(R"([{"name":"app"}])", R"(,"initContainers":[{"name":"istio-proxy"}])")))
      << "a plain init container exits before the application starts";
  EXPECT_TRUE(runsWithoutSidecar(pod(R"([{"name":"agent"}])", R"(,"hostNetwork":true)")));
}

TEST(RunningPodWithoutSidecar, KeepsTheNameAndLabels) {
  const std::optional<PodWithoutSidecar> found = runningPodWithoutSidecar("web-7f9c", pod(R"([{"name":"app"}])"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "web-7f9c");
  EXPECT_EQ(found->labels, (Labels{{"app", "web"}}));
}

TEST(RunningPodWithoutSidecar, IgnoresWhatThePodOnlyAsksFor) {
  json asking = pod(R"([{"name":"app"}])");
  asking["metadata"]["labels"] = {{"sidecar.istio.io/inject", "true"}};
  EXPECT_TRUE(runsWithoutSidecar(asking)) << "an existing pod without the container has no sidecar";
}

TEST(RunningPodWithoutSidecar, FinishedPodsAndAmbientPodsDoNotCount) {
  EXPECT_FALSE(runsWithoutSidecar(pod(R"([{"name":"job"}])", "", "Succeeded")));
  EXPECT_FALSE(runsWithoutSidecar(pod(R"([{"name":"job"}])", "", "Failed")));
  EXPECT_TRUE(runsWithoutSidecar(pod(R"([{"name":"job"}])", "", "Pending")));
  json ambient = pod(R"([{"name":"app"}])");
  ambient["metadata"]["labels"]["istio.io/dataplane-mode"] = "ambient";
  EXPECT_FALSE(runsWithoutSidecar(ambient)) << "enrolled in ambient mode by its own label";
  ambient["metadata"]["labels"]["istio.io/dataplane-mode"] = "none";
  EXPECT_TRUE(runsWithoutSidecar(ambient));
}

TEST(RunningPodWithoutSidecar, ToleratesObjectsOfTheWrongShape) {
  EXPECT_FALSE(runsWithoutSidecar(json::array()));
  EXPECT_TRUE(runsWithoutSidecar(json::parse(R"({"spec":{"containers":"nonsense"}})")));
  const std::optional<PodWithoutSidecar> odd =
      runningPodWithoutSidecar("p", json::parse(R"({"metadata":{"labels":{"app":"web","replicas":3}}})"));
  ASSERT_TRUE(odd.has_value());
  EXPECT_EQ(odd->labels, (Labels{{"app", "web"}})) << "labels are strings";
}

std::optional<PodWithoutSidecar> fromManifest(const std::string& kind, const json& object,
                                              const Labels& namespace_labels = {}) {
  return manifestPodWithoutSidecar(kind, "legacy", object, NamespaceInfo{"shop", namespace_labels, {}});
}

TEST(ManifestPodWithoutSidecar, JudgesPodsAndTemplatesAsTheyWillRunOnceInjected) {
  const json template_pod =
      json::parse(R"({"metadata":{"labels":{"app":"legacy"}},"spec":{"containers":[{"name":"app"}]}})");
  const json deployment = {{"spec", {{"template", template_pod}}}};
  const json cron_job = {{"spec", {{"jobTemplate", {{"spec", {{"template", template_pod}}}}}}}};
  const Labels injecting = {{"istio-injection", "enabled"}};

  const std::optional<PodWithoutSidecar> plain = fromManifest("Deployment", deployment);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->name, "deployment/legacy");
  EXPECT_EQ(plain->labels, (Labels{{"app", "legacy"}}));
  EXPECT_EQ(fromManifest("CronJob", cron_job)->name, "cronjob/legacy");
  EXPECT_EQ(fromManifest("Pod", template_pod)->name, "legacy");
  EXPECT_FALSE(fromManifest("Deployment", deployment, injecting).has_value()) << "the namespace injects it";
  EXPECT_FALSE(fromManifest("Service", deployment).has_value()) << "not a kind that runs pods";

  json host_network = deployment;
  host_network["spec"]["template"]["spec"]["hostNetwork"] = true;
  EXPECT_TRUE(fromManifest("Deployment", host_network, injecting).has_value())
      << "the injector never touches hostNetwork pods";
  json opted_out = deployment;
  opted_out["spec"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"] = "false";
  EXPECT_TRUE(fromManifest("Deployment", opted_out, injecting).has_value());
  json ambient = deployment;
  ambient["spec"]["template"]["metadata"]["labels"]["istio.io/dataplane-mode"] = "ambient";
  EXPECT_FALSE(fromManifest("Deployment", ambient).has_value());
  json finished = template_pod;
  finished["status"] = {{"phase", "Succeeded"}};
  EXPECT_FALSE(fromManifest("Pod", finished).has_value());
  json native = template_pod;
  native["spec"]["initContainers"] = json::parse(R"([{"name":"istio-proxy","restartPolicy":"Always"}])");
  native["spec"]["hostNetwork"] = true;
  EXPECT_FALSE(fromManifest("Pod", native).has_value()) << "a sidecar already in the manifest";
}

PodWithoutSidecar podNamed(const std::string& name, Labels labels = {}) {
  return PodWithoutSidecar{name, std::move(labels), "default", ""};
}

std::vector<std::string> visitedNames(const PodSidecarIndex& index, std::string_view namespace_name) {
  std::vector<std::string> names;
  for (const PodWithoutSidecar& pod : index.pods(namespace_name)) {
    names.push_back(pod.name);
  }
  return names;
}

TEST(PodSidecarIndex, CountsNamesAndVisitsPodsWithoutSidecarPerNamespace) {
  PodSidecarIndex index;
  index.record("shop", podNamed("web-2"));
  index.record("shop", podNamed("web-1", {{"app", "web"}}));
  index.record("shop", podNamed("web-4"));
  index.record("other", podNamed("db-0"));

  const PodsWithoutSidecar shop = index.query("shop", 2);
  EXPECT_EQ(shop.count, 3u);
  EXPECT_EQ(shop.names, (std::vector<std::string>{"web-1", "web-2"}));
  EXPECT_EQ(index.query("other", 10).count, 1u);
  EXPECT_EQ(index.query("absent", 10).count, 0u);
  EXPECT_TRUE(index.query("absent", 10).names.empty());
  EXPECT_EQ(index.namespaces(), (std::vector<std::string>{"other", "shop"}));
  EXPECT_EQ(visitedNames(index, "shop"), (std::vector<std::string>{"web-1", "web-2", "web-4"}));
  EXPECT_TRUE(visitedNames(index, "absent").empty());

  index.record("shop", podNamed("web-4", {{"app", "api"}}));
  Labels seen;
  for (const PodWithoutSidecar& visited : index.pods("shop")) {
    if (visited.name == "web-4") {
      seen = visited.labels;
    }
  }
  EXPECT_EQ(seen, (Labels{{"app", "api"}})) << "an update replaces the labels";

  index.forget("shop", "web-1");  // got its sidecar
  index.forget("shop", "web-2");
  index.forget("shop", "never-there");
  EXPECT_EQ(index.query("shop", 10).names, (std::vector<std::string>{"web-4"}));
  index.forget("other", "db-0");
  EXPECT_EQ(index.query("other", 10).count, 0u);
  EXPECT_EQ(index.namespaces(), (std::vector<std::string>{"shop"})) << "an emptied namespace is forgotten";
}

TEST(DestinationHost, ResolvesShortNamesInTheRulesNamespace) {
  EXPECT_EQ(resolveServiceHost("reviews", "shop"), "reviews.shop.svc.cluster.local");
  EXPECT_EQ(resolveServiceHost("Reviews", "shop"), "reviews.shop.svc.cluster.local");
  EXPECT_EQ(resolveServiceHost("reviews.other.svc.cluster.local", "shop"), "reviews.other.svc.cluster.local");
  EXPECT_EQ(resolveServiceHost("reviews.other", "shop"), "reviews.other") << "Istio only expands names without a dot";
  EXPECT_EQ(resolveServiceHost("*.example.com", "shop"), "*.example.com");
  EXPECT_EQ(resolveServiceHost("", "shop"), "");
}

json withNamelessSubset(json rule) {
  rule["spec"]["subsets"].push_back({{"nameless", 1}});
  return rule;
}

TEST(DestinationRuleHostIndex, FindsSubsetsByResolvedHost) {
  DestinationRuleHostIndex index;
  index.update("shop", "reviews",
               withNamelessSubset(destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2"})));
  index.update("other", "reviews-fqdn",
               destinationRuleObject("other", "reviews-fqdn", "reviews.shop.svc.cluster.local", {"v3"}));
  index.update("other", "reviews", destinationRuleObject("other", "reviews", "reviews", {}));

  const std::vector<DestinationRuleSubsets> rules = index.query("reviews.shop.svc.cluster.local");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0], (DestinationRuleSubsets{"other", "reviews-fqdn", "reviews.shop.svc.cluster.local", {"v3"}, {}, {}}));
  EXPECT_EQ(rules[1], (DestinationRuleSubsets{"shop", "reviews", "reviews", {"v1", "v2"}, {}, {}}));
  EXPECT_EQ(index.query("REVIEWS.other.svc.cluster.local").size(), 1u);
  EXPECT_TRUE(index.query("ratings.shop.svc.cluster.local").empty());
}

TEST(DestinationRuleHostIndex, MovesARuleWhoseHostChangesAndForgetsRemovedOnes) {
  DestinationRuleHostIndex index;
  index.update("shop", "dr", destinationRuleObject("shop", "dr", "reviews", {"v1"}));
  index.update("shop", "dr", destinationRuleObject("shop", "dr", "ratings", {"v2"}));
  EXPECT_TRUE(index.query("reviews.shop.svc.cluster.local").empty());
  ASSERT_EQ(index.query("ratings.shop.svc.cluster.local").size(), 1u);
  EXPECT_EQ(index.query("ratings.shop.svc.cluster.local")[0].subsets, std::vector<std::string>{"v2"});

  index.update("shop", "dr", json::parse(R"({"spec":{"subsets":[]}})"));
  EXPECT_TRUE(index.query("ratings.shop.svc.cluster.local").empty()) << "a rule without a host is not indexed";
  index.update("shop", "dr", destinationRuleObject("shop", "dr", "ratings", {}));
  index.remove("shop", "dr");
  index.remove("shop", "dr");
  EXPECT_TRUE(index.query("ratings.shop.svc.cluster.local").empty());
}

class TinyState final : public cluster::ClusterState {
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

TEST(FindGateway, FindsGatewaysTheWayVirtualServicesNameThem) {
  const TinyState state;
  EXPECT_NE(findGateway(state, "istio-system/ingress", "shop"), nullptr);
  EXPECT_EQ(state.asked, "networking.istio.io|Gateway|istio-system|ingress");
  EXPECT_NE(findGateway(state, "ingress", "shop"), nullptr);
  EXPECT_EQ(state.asked, "networking.istio.io|Gateway|shop|ingress");
  state.asked.clear();
  EXPECT_EQ(findGateway(state, "mesh", "shop"), nullptr);
  EXPECT_EQ(findGateway(state, "", "shop"), nullptr);
  EXPECT_EQ(state.asked, "") << "the reserved name mesh is not a Gateway object";
}

TEST(Indexes, NoClusterStateKnowsNothing) {
  const cluster::NoClusterState state;
  EXPECT_FALSE(state.available());
  EXPECT_FALSE(state.tracksKind("", "Pod"));
  EXPECT_EQ(state.findObject("", "Pod", "shop", "web"), nullptr);
  EXPECT_EQ(podsWithoutSidecar(state, "shop", 5).count, 0u);
  EXPECT_TRUE(namespacesWithPodsWithoutSidecar(state).empty());
  EXPECT_TRUE(destinationRulesForHost(state, "reviews.shop.svc.cluster.local").empty());
  EXPECT_TRUE(podsWithoutSidecarIn(state, "shop").empty());
  bool visited = false;
  state.forEachObject("", "Pod", [&](const ObjectKey&, const json&) { visited = true; });
  state.forEachObjectInNamespace("", "Pod", "shop", [&](const ObjectKey&, const json&) { visited = true; });
  EXPECT_FALSE(visited);
}

}  // namespace
}  // namespace meshward::policies
