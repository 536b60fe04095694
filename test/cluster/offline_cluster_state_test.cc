#include "webhook/cluster/offline_cluster_state.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/cluster/scratch_directory.h"

namespace meshward::cluster {
namespace {

Manifest manifestOf(const std::string& json_text) { return Manifest{nlohmann::json::parse(json_text), "test.yaml", 1}; }

std::vector<std::string> visitedNames(const OfflineClusterState& state, std::string_view group, std::string_view kind,
                                      std::optional<std::string_view> namespace_name = std::nullopt) {
  std::vector<std::string> names;
  const auto visit = [&](const ObjectKey& key, const nlohmann::json& object) {
    EXPECT_EQ(key.name, object["metadata"]["name"]);
    names.push_back(key.namespace_name + "/" + key.name);
  };
  if (namespace_name) {
    state.forEachObjectInNamespace(group, kind, *namespace_name, visit);
  } else {
    state.forEachObject(group, kind, visit);
  }
  return names;
}

const std::vector<Manifest> kManifests = {
    manifestOf(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop",
                   "labels":{"istio-injection":"enabled","tier":3,"enabled":true},
                   "annotations":{"owner":"team-a","nested":{"no":"strings"}}}})"),
    manifestOf(R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule",
                   "metadata":{"name":"reviews","namespace":"shop"},"spec":{"host":"reviews"}})"),
    manifestOf(R"({"apiVersion":"networking.istio.io/v1beta1","kind":"DestinationRule",
                   "metadata":{"name":"details","namespace":"shop"}})"),
    manifestOf(R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule",
                   "metadata":{"name":"ratings","namespace":"another"}})"),
    manifestOf(R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService",
                   "metadata":{"name":"reviews"}})"),
    manifestOf(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole",
                   "metadata":{"name":"reader","namespace":"ignored"}})"),
    manifestOf(R"({"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-","namespace":"shop"}})"),
    manifestOf(R"({"kind":"Pod","metadata":{"name":"no-api-version"}})"),
    manifestOf(R"({"defaultConfig":{"holdApplicationUntilProxyStarts":true}})"),
    manifestOf(R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule",
                   "metadata":{"name":"reviews","namespace":"shop"},"spec":{"host":"reviews.shop.svc"}})"),
};

TEST(OfflineClusterState, IsAvailableAndReady) {
  const OfflineClusterState state(kManifests, {});
  EXPECT_TRUE(state.available());
  EXPECT_TRUE(state.ready());
}

TEST(OfflineClusterState, FindsNamespacesWithStringLabelsAndAnnotations) {
  const OfflineClusterState state(kManifests, {});
  const std::optional<NamespaceInfo> shop = state.findNamespace("shop");
  ASSERT_TRUE(shop.has_value());
  EXPECT_EQ(shop->name, "shop");
  const std::map<std::string, std::string, std::less<>> expected_labels = {
      {"istio-injection", "enabled"}, {"tier", "3"}, {"enabled", "true"}};
  EXPECT_EQ(shop->labels, expected_labels);
  const std::map<std::string, std::string, std::less<>> expected_annotations = {{"owner", "team-a"}};
  EXPECT_EQ(shop->annotations, expected_annotations);
  EXPECT_FALSE(state.findNamespace("another").has_value());
  EXPECT_FALSE(state.findNamespace("").has_value());
}

TEST(OfflineClusterState, FindsObjectsByGroupKindNamespaceAndName) {
  const OfflineClusterState state(kManifests, {});
  const std::shared_ptr<const nlohmann::json> reviews =
      state.findObject("networking.istio.io", "DestinationRule", "shop", "reviews");
  ASSERT_NE(reviews, nullptr);
  EXPECT_EQ((*reviews)["spec"]["host"], "reviews.shop.svc") << "the later manifest replaces the earlier one";
  EXPECT_EQ(state.findObject("networking.istio.io", "DestinationRule", "another", "reviews"), nullptr);
  EXPECT_EQ(state.findObject("", "DestinationRule", "shop", "reviews"), nullptr);
  EXPECT_NE(state.findObject("networking.istio.io", "VirtualService", "default", "reviews"), nullptr)
      << "a namespaced object without a namespace lands in default";
  EXPECT_NE(state.findObject("rbac.authorization.k8s.io", "ClusterRole", "", "reader"), nullptr)
      << "cluster-scoped objects have no namespace";
  EXPECT_EQ(state.findObject("rbac.authorization.k8s.io", "ClusterRole", "ignored", "reader"), nullptr);
}

TEST(OfflineClusterState, SkipsObjectsWithoutIdentity) {
  const OfflineClusterState state(kManifests, {});
  EXPECT_EQ(state.objectCount(), 6u);
  EXPECT_TRUE(visitedNames(state, "", "Pod").empty());
}

TEST(OfflineClusterState, IteratesOneKindInKeyOrder) {
  const OfflineClusterState state(kManifests, {});
  EXPECT_EQ(visitedNames(state, "networking.istio.io", "DestinationRule"),
            (std::vector<std::string>{"another/ratings", "shop/details", "shop/reviews"}));
  EXPECT_EQ(visitedNames(state, "networking.istio.io", "DestinationRule", "shop"),
            (std::vector<std::string>{"shop/details", "shop/reviews"}));
  EXPECT_TRUE(visitedNames(state, "networking.istio.io", "DestinationRule", "empty").empty());
  EXPECT_TRUE(visitedNames(state, "networking.istio.io", "Gateway").empty());
  EXPECT_EQ(visitedNames(state, "networking.istio.io", "VirtualService"),
            (std::vector<std::string>{"default/reviews"}));
}

TEST(OfflineClusterState, LoadsLenientlyFromADirectory) {
  const testing::ScratchDirectory scratch;
  scratch.write("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mesh\n  labels: {a: b}\n");
  scratch.write("patch.yaml", "- op: remove\n  path: /spec\n");
  Result<std::unique_ptr<ClusterState>> state = loadOfflineClusterState({scratch.path().string()}, {});
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_TRUE((*state)->available());
  ASSERT_TRUE((*state)->findNamespace("mesh").has_value());
  EXPECT_EQ((*state)->findNamespace("mesh")->labels.at("a"), "b");

  const std::string broken_file = scratch.write("broken.yaml", "metadata: [\n");
  const Result<std::unique_ptr<ClusterState>> broken = loadOfflineClusterState({scratch.path().string()}, {});
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().rfind(broken_file + ":", 0), 0u) << broken.error();
}

TEST(ObjectKey, SplitsApiVersions) {
  EXPECT_EQ(splitApiVersion("networking.istio.io/v1beta1").group, "networking.istio.io");
  EXPECT_EQ(splitApiVersion("networking.istio.io/v1beta1").version, "v1beta1");
  EXPECT_EQ(splitApiVersion("v1").group, "");
  EXPECT_EQ(splitApiVersion("v1").version, "v1");
}

TEST(ObjectKey, NeedsApiVersionAndKind) {
  EXPECT_FALSE(objectKeyOf(nlohmann::json::parse(R"({"kind":"Pod"})")).has_value());
  EXPECT_FALSE(objectKeyOf(nlohmann::json::parse(R"({"apiVersion":"v1","kind":7})")).has_value());
  EXPECT_FALSE(objectKeyOf(nlohmann::json::array()).has_value());
  const std::optional<ObjectKey> key = objectKeyOf(nlohmann::json::parse(R"({"apiVersion":"v1","kind":"Namespace",
                                                                              "metadata":{"name":"x"}})"));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, (ObjectKey{"", "Namespace", "", "x"}));
}

}  // namespace
}  // namespace meshward::cluster
