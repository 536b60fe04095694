#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policies/common/virtual_service_references.h"
#include "policies/indexes/destination_rules_by_host.h"
#include "policies/indexes/pods_without_sidecar.h"
#include "webhook/cluster/offline_cluster_state.h"

namespace meshward::policies {
namespace {

using cluster::ClusterState;
using cluster::Manifest;
using cluster::ObjectKey;


const std::vector<const cluster::IndexSpec*> kIndexes = {&podsWithoutSidecarIndex(), &destinationRulesByHostIndex()};

Manifest manifestOf(const std::string& json_text) { return Manifest{nlohmann::json::parse(json_text), "test.yaml", 1}; }

const std::vector<Manifest> kManifests = {
    manifestOf(
        R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"mesh","labels":{"istio-injection":"enabled"}}})"),
    manifestOf(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"plain"}})"),
    manifestOf(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"will-be-injected","namespace":"mesh"},
                   "spec":{"containers":[{"name":"app"}]}})"),
    manifestOf(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"opted-out","namespace":"mesh",
                   "labels":{"sidecar.istio.io/inject":"false"}},"spec":{"containers":[{"name":"app"}]}})"),
    manifestOf(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"bare","namespace":"plain"},
                   "spec":{"containers":[{"name":"app"}]}})"),
    manifestOf(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"done","namespace":"plain"},
                   "spec":{"containers":[{"name":"job"}]},"status":{"phase":"Succeeded"}})"),
    manifestOf(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"linkerd","namespace":"plain",
                   "annotations":{"linkerd.io/inject":"enabled"}},"spec":{"containers":[{"name":"app"}]}})"),
    manifestOf(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"mesh"},
                   "spec":{"template":{"spec":{"containers":[{"name":"web"}]}}}})"),
    manifestOf(R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"report","namespace":"plain"},
                   "spec":{"jobTemplate":{"spec":{"template":{"metadata":{"labels":{"app":"report"}},
                   "spec":{"containers":[{"name":"report"}]}}}}}})"),
    manifestOf(
        R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{"name":"reviews","namespace":"mesh"},
                   "spec":{"host":"reviews","subsets":[{"name":"v1"},{"name":"v2"}]}})"),
    manifestOf(
        R"({"apiVersion":"networking.istio.io/v1beta1","kind":"Gateway","metadata":{"name":"ingress","namespace":"istio-system"}})"),
};

TEST(OfflineClusterStateIndexes, JudgesPodsAndPodTemplatesAsTheyWillRun) {
  const cluster::OfflineClusterState state(kManifests, kIndexes);
  const PodsWithoutSidecar mesh = podsWithoutSidecar(state, "mesh", 10);
  EXPECT_EQ(mesh.count, 1u);
  EXPECT_EQ(mesh.names, std::vector<std::string>{"opted-out"})
      << "the namespace label injects the other pod and the Deployment's template";
  const PodsWithoutSidecar plain = podsWithoutSidecar(state, "plain", 10);
  EXPECT_EQ(plain.names, (std::vector<std::string>{"bare", "cronjob/report", "linkerd"}))
      << "finished pods do not count; a Linkerd proxy is not an Istio sidecar";
  EXPECT_EQ(namespacesWithPodsWithoutSidecar(state), (std::vector<std::string>{"mesh", "plain"}));
  std::vector<std::string> visited;
  for (const PodWithoutSidecar& pod : podsWithoutSidecarIn(state, "plain")) {
    visited.push_back(pod.name + (pod.labels.empty() ? "" : " app=" + pod.labels.at("app")));
  }
  EXPECT_EQ(visited, (std::vector<std::string>{"bare", "cronjob/report app=report", "linkerd"}));
}

TEST(OfflineClusterStateIndexes, FindsDestinationRulesByHostAndGatewaysByReference) {
  const cluster::OfflineClusterState state(kManifests, kIndexes);
  const std::vector<DestinationRuleSubsets> rules = destinationRulesForHost(state, "reviews.mesh.svc.cluster.local");
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].subsets, (std::vector<std::string>{"v1", "v2"}));
  EXPECT_TRUE(destinationRulesForHost(state, "reviews.plain.svc.cluster.local").empty());
  EXPECT_NE(findGateway(state, "istio-system/ingress", "mesh"), nullptr);
  EXPECT_EQ(findGateway(state, "ingress", "mesh"), nullptr);
}

TEST(OfflineClusterStateIndexes, TracksEveryKindAndHandsOutObjectsThatOutliveIt) {
  std::shared_ptr<const nlohmann::json> kept;
  {
    const cluster::OfflineClusterState state(kManifests, kIndexes);
    EXPECT_TRUE(state.tracksKind("networking.istio.io", "Sidecar"));
    kept = state.findObject("", "Namespace", "", "mesh");
  }
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ((*kept)["metadata"]["name"], "mesh");
}

TEST(OfflineClusterStateIndexes, AnswersThroughTheInterface) {
  const cluster::OfflineClusterState offline(kManifests, kIndexes);
  const ClusterState& state = offline;
  std::vector<std::string> names;
  state.forEachObjectInNamespace("", "Pod", "plain",
                                 [&](const ObjectKey& key, const nlohmann::json&) { names.push_back(key.name); });
  EXPECT_EQ(names, (std::vector<std::string>{"bare", "done", "linkerd"}));
}

}  // namespace
}  // namespace meshward::policies
