#include "policies/sync_wave_order/argo_sync_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "policies/sync_wave_order/sync_wave_messages.h"
#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::objectFromYaml;
using test_support::objectsFromYamlFile;

nlohmann::json withWave(const std::string& kind, const std::string& name, const std::string& annotation_value) {
  return objectFromYaml("apiVersion: v1\nkind: " + kind + "\nmetadata: {name: " + name +
                        ", annotations: {argocd.argoproj.io/sync-wave: " + annotation_value + "}}");
}

TEST(SyncWaveTest, ReadsTheAnnotationAsArgoCdDoes) {
  struct Case {
    std::string written;  // the YAML value
    SyncWaveText text;
    std::int64_t wave;
  };
  const std::vector<Case> cases = {
      {"\"5\"", SyncWaveText::Integer, 5},
      {"\"-10\"", SyncWaveText::Integer, -10},
      {"\"+3\"", SyncWaveText::Integer, 3},
      {"\"007\"", SyncWaveText::Integer, 7},
      {"\"-9223372036854775808\"", SyncWaveText::Integer, INT64_MIN},
      {"\"9223372036854775808\"", SyncWaveText::NotAnInteger, 0},
      {"\"\"", SyncWaveText::NotAnInteger, 0},
      {"\"-\"", SyncWaveText::NotAnInteger, 0},
      {"\" 1\"", SyncWaveText::NotAnInteger, 0},
      {"\"1 \"", SyncWaveText::NotAnInteger, 0},
      {"\"1.5\"", SyncWaveText::NotAnInteger, 0},
      {"\"1_000\"", SyncWaveText::NotAnInteger, 0},
      {"\"0x10\"", SyncWaveText::NotAnInteger, 0},
      {"\"two\"", SyncWaveText::NotAnInteger, 0},
      {"2", SyncWaveText::NotAString, 0},
      {"null", SyncWaveText::NotAString, 0},
  };
  for (const Case& test : cases) {
    const SyncWave wave = syncWaveOf(withWave("ConfigMap", "c", test.written));
    EXPECT_EQ(wave.text, test.text) << test.written;
    EXPECT_EQ(wave.wave, test.wave) << test.written;
    EXPECT_TRUE(wave.annotated()) << test.written;
  }
  const SyncWave absent = syncWaveOf(objectFromYaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}"));
  EXPECT_FALSE(absent.annotated());
  EXPECT_TRUE(absent.valid());
  EXPECT_EQ(absent.wave, 0);
  EXPECT_FALSE(syncWaveOf(objectFromYaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {annotations: [x]}")).annotated());
}

TEST(SyncWaveTest, DescribesWavesAndInvalidAnnotations) {
  EXPECT_EQ(describeSyncWave(syncWaveOf(withWave("ConfigMap", "c", "\"-2\""))), "sync-wave -2");
  EXPECT_EQ(describeSyncWave(syncWaveOf(withWave("ConfigMap", "c", "\"x\""))), "sync-wave 0, \"x\" is not an integer");
  EXPECT_EQ(describeSyncWave(syncWaveOf(withWave("ConfigMap", "c", "3"))), "sync-wave 0, 3 is not a string");
  EXPECT_EQ(describeSyncWave(SyncWave{}), "sync-wave 0, no annotation");

  EXPECT_FALSE(invalidSyncWaveMessage("ConfigMap default/c", syncWaveOf(withWave("ConfigMap", "c", "\"4\""))));
  EXPECT_EQ(invalidSyncWaveMessage("VirtualService shop/vs", syncWaveOf(withWave("ConfigMap", "c", "3"))),
            "VirtualService shop/vs: annotation argocd.argoproj.io/sync-wave is 3, not a string; annotation values "
            "must be strings, so the API server rejects the object and the Argo CD sync fails. Quote it: "
            "argocd.argoproj.io/sync-wave: \"3\".");
  EXPECT_EQ(laterWaveFix("VirtualService", INT64_MAX), "Give the VirtualService a later sync-wave.");
}

TEST(ArgoSyncOrderTest, KindRanksFollowGitopsEngine) {
  EXPECT_EQ(argoKindRank("Namespace"), -35);
  EXPECT_EQ(argoKindRank("CustomResourceDefinition"), -22);
  EXPECT_EQ(argoKindRank("Service"), -13);
  EXPECT_EQ(argoKindRank("Deployment"), -8);
  EXPECT_EQ(argoKindRank("APIService"), -1);
  EXPECT_EQ(argoKindRank("VirtualService"), 0);
  EXPECT_EQ(argoKindRank("DestinationRule"), 0);
  EXPECT_EQ(argoKindRank("Gateway"), 0);
  EXPECT_EQ(argoKindRank("service"), 0);
}

std::vector<std::string> sortedAsArgoCd(const std::vector<nlohmann::json>& objects) {
  std::vector<std::pair<ArgoSyncPosition, std::string>> positions;
  for (const nlohmann::json& object : objects) {
    positions.emplace_back(argoSyncPosition(object),
                           object.value("kind", "") + "/" + object["metadata"].value("name", ""));
  }
  std::sort(positions.begin(), positions.end());
  std::vector<std::string> order;
  for (const auto& [position, name] : positions) {
    order.push_back(name);
  }
  return order;
}

TEST(ArgoSyncOrderTest, WaveThenKindThenName) {
  const std::vector<nlohmann::json> objects = {
      withWave("VirtualService", "a-reviews", "\"1\""),
      withWave("DestinationRule", "reviews", "\"1\""),
      withWave("Gateway", "public", "\"1\""),
      withWave("Deployment", "z-api", "\"1\""),
      withWave("Service", "z-api", "\"1\""),
      withWave("DestinationRule", "ratings", "\"-1\""),
      objectFromYaml("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}"),
      withWave("VirtualService", "zz", "\"not-a-number\""),
  };
  EXPECT_EQ(sortedAsArgoCd(objects),
            (std::vector<std::string>{"DestinationRule/ratings", "Namespace/shop", "VirtualService/zz", "Service/z-api",
                                      "Deployment/z-api", "VirtualService/a-reviews", "Gateway/public",
                                      "DestinationRule/reviews"}));
}

TEST(ArgoSyncOrderTest, SameWaveKindRankAndNameIsATie) {
  const ArgoSyncPosition rule = argoSyncPosition(withWave("DestinationRule", "reviews", "\"1\""));
  const ArgoSyncPosition route = argoSyncPosition(withWave("VirtualService", "reviews", "\"1\""));
  EXPECT_FALSE(rule < route);
  EXPECT_FALSE(route < rule);
  EXPECT_EQ(appliedBeforeClause(route, rule, "it", "DestinationRule shop/reviews"),
            "Argo CD may apply it before DestinationRule shop/reviews (same wave, kind rank and name: either order)");
}

// The shared corpus holds real Argo CD applications with sync-waves (see its SOURCES.md); their
// order must be the order of the waves SOURCES.md records.
TEST(ArgoSyncOrderCorpus, OrdersTheGitopsCorpusByItsWaves) {
  const std::filesystem::path folder =
      std::filesystem::path(MESHWARD_SHARED_DIR) / "corpus/gitops/find-arka-gloo-mesh-notes";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<nlohmann::json> objects;
  for (const std::filesystem::path& file : files) {
    for (nlohmann::json& object : objectsFromYamlFile(file.string())) {
      EXPECT_TRUE(syncWaveOf(object).annotated()) << file;
      EXPECT_TRUE(syncWaveOf(object).valid()) << file;
      objects.push_back(std::move(object));
    }
  }
  EXPECT_EQ(sortedAsArgoCd(objects),
            (std::vector<std::string>{
                "Namespace/istio-gateways",                                // -10
                "Service/istio-ingressgateway",                            // -9
                "PeerAuthentication/default-strict-mtls",                  // -8
                "Application/gloo-platform-oss-istio-crds",                // -4
                "Namespace/client-namespace",                              // -3, listed kind first
                "Application/gloo-platform-oss-istiod",                    // -3
                "ServiceAccount/netshoot",                                 // -2
                "Application/gloo-platform-oss-istio-administrative-crs",  // -2
                "Deployment/netshoot",                                     // -1
                "Application/gloo-platform-oss-istio-ingressgateway",      // -1
            }));
}

}  // namespace
}  // namespace meshward::policies
