#include "webhook/cluster/kube/object_trimmer.h"

#include <gtest/gtest.h>

#include "test/support/fake_cluster_objects.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/cluster/kube/list_page.h"

namespace meshward::cluster::kube {
namespace {

using json = nlohmann::json;

// What the live cache keeps of (group, kind) for the registered rules.
const KindRequirement& watched(std::string_view group, std::string_view kind) {
  const KindRequirement* requirement = admission::registeredRequirements(ObjectSource::Live).find(group, kind);
  if (requirement == nullptr) {
    throw std::logic_error("not watched: " + std::string(kind));
  }
  return *requirement;
}

KindRequirement requirementKeeping(std::vector<std::string_view> fields) {
  KindRequirement requirement;
  requirement.kind = kinds::Pod;
  for (const std::string_view field : alwaysKeptFields()) {
    EXPECT_TRUE(requirement.fields.add(field).ok());
  }
  for (const std::string_view field : fields) {
    EXPECT_TRUE(requirement.fields.add(field).ok()) << field;
  }
  return requirement;
}

TEST(ObjectTrimmer, KeepsExactlyTheDeclaredFields) {
  json pod = test_support::podObject("shop", "web-1");
  pod["spec"]["initContainers"] = {{{"name", "istio-validation"}, {"image", "proxyv2"}, {"restartPolicy", "Always"}}};
  const std::size_t full_size = pod.dump().size();
  const json trimmed = trimObject(requirementKeeping({"/metadata/labels", "/spec/containers/*/name",
                                                      "/spec/initContainers/*/restartPolicy", "/status/phase"}),
                                  "v1", std::move(pod));

  EXPECT_EQ(trimmed["apiVersion"], "v1");
  EXPECT_EQ(trimmed["kind"], "Pod");
  EXPECT_EQ(trimmed["metadata"]["name"], "web-1");
  EXPECT_EQ(trimmed["metadata"]["namespace"], "shop");
  EXPECT_EQ(trimmed["metadata"]["labels"]["app"], "web");
  EXPECT_FALSE(trimmed["metadata"].contains("annotations")) << "no rule declared annotations";
  EXPECT_FALSE(trimmed["metadata"].contains("ownerReferences"));
  ASSERT_EQ(trimmed["spec"]["containers"].size(), 2u);
  EXPECT_EQ(trimmed["spec"]["containers"][1], (json{{"name", "istio-proxy"}}));
  EXPECT_EQ(trimmed["spec"]["initContainers"][0], (json{{"restartPolicy", "Always"}}));
  EXPECT_EQ(trimmed["status"], (json{{"phase", "Running"}}));
  EXPECT_FALSE(trimmed["spec"].contains("volumes"));
  EXPECT_LT(trimmed.dump().size() * 3, full_size) << trimmed.dump();
}

TEST(ObjectTrimmer, KeepsWhatTheRegisteredRulesAndIndexesRead) {
  json rule = test_support::destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2"});
  rule["metadata"]["annotations"] = {{"argocd.argoproj.io/sync-wave", "2"}, {"team", "shop"}};
  rule["metadata"]["generation"] = 3;
  const json trimmed = trimObject(watched("networking.istio.io", "DestinationRule"), "networking.istio.io/v1beta1", std::move(rule));
  EXPECT_EQ(trimmed["spec"]["host"], "reviews");
  EXPECT_EQ(trimmed["spec"]["subsets"], (json::array({{{"name", "v1"}}, {{"name", "v2"}}})));
  EXPECT_EQ(trimmed["metadata"]["annotations"], (json{{"argocd.argoproj.io/sync-wave", "2"}}))
      << "sync-wave-order reads the wave through the DestinationRule index";
  EXPECT_FALSE(trimmed["metadata"].contains("generation"));

  json policy = json::parse(R"({"metadata":{"name":"default","namespace":"istio-system",
      "creationTimestamp":"2026-11-01T08:00:00Z","uid":"x"},"spec":{"mtls":{"mode":"STRICT"}}})");
  const json kept = trimObject(watched("security.istio.io", "PeerAuthentication"), "security.istio.io/v1", std::move(policy));
  EXPECT_EQ(kept["metadata"]["creationTimestamp"], "2026-11-01T08:00:00Z")
      << "the older of two PeerAuthentications at one level wins, so age is kept";
  EXPECT_EQ(kept["spec"]["mtls"]["mode"], "STRICT");
  EXPECT_FALSE(kept["metadata"].contains("uid"));

  json ns = test_support::namespaceObject("shop", {{"istio-injection", "enabled"}});
  ns["metadata"]["annotations"] = {{"linkerd.io/inject", "enabled"}, {"config.linkerd.io/proxy-memory-limit", "256Mi"}};
  ns["spec"] = {{"finalizers", {"kubernetes"}}};
  ns["status"] = {{"phase", "Active"}};
  const json kept_namespace = trimObject(watched("", "Namespace"), "v1", std::move(ns));
  EXPECT_EQ(kept_namespace["metadata"]["labels"]["istio-injection"], "enabled");
  EXPECT_EQ(kept_namespace["metadata"]["annotations"],
            (json{{"linkerd.io/inject", "enabled"}, {"config.linkerd.io/proxy-memory-limit", "256Mi"}}))
      << "the pod rules read a namespace's injection and proxy annotations";
  EXPECT_FALSE(kept_namespace.contains("spec"));
  EXPECT_FALSE(kept_namespace.contains("status"));
}

TEST(ObjectTrimmer, KeepsValuesOfTheWrongTypeAsTheyAre) {
  EXPECT_EQ(trimObject(watched("", "Pod"), "v1", json::array())["metadata"], json::object());
  json wrong_shapes = json::parse(R"({"metadata":{"name":7,"labels":"x"},
      "spec":{"containers":[1,{"name":"app","resources":"big"}],"hostNetwork":"yes"},"status":[]})");
  const json odd = trimObject(requirementKeeping({"/metadata/labels", "/spec/containers/*/name"}), "v1",
                              std::move(wrong_shapes));
  EXPECT_EQ(odd["metadata"]["name"], 7) << "a reader of the full object sees the same 7";
  EXPECT_EQ(odd["metadata"]["labels"], "x");
  EXPECT_FALSE(odd["spec"].contains("hostNetwork"));
  EXPECT_EQ(odd["spec"]["containers"][1], (json{{"name", "app"}}));
}

TEST(ListPage, ReadsItemsAndWhereTheListStands) {
  const std::string body =
      R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"77","continue":"abc="},
          "items":[{"metadata":{"name":"a","namespace":"x"}},{"metadata":{"name":"b","namespace":"x"}}]})";
  Result<ListPage> page = parseListPage(body, watched("", "Pod"), "v1");
  ASSERT_TRUE(page.ok()) << page.error();
  EXPECT_EQ(page->resource_version, "77");
  EXPECT_EQ(page->continue_token, "abc=");
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[1]["kind"], "Pod") << "list items come without kind; the cache stamps it";

  Result<ListPage> empty = parseListPage(R"({"metadata":{"resourceVersion":"5"},"items":null})", watched("", "Pod"), "v1");
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_TRUE(empty->items.empty());
  EXPECT_TRUE(empty->continue_token.empty());

  EXPECT_FALSE(parseListPage("<html>", watched("", "Pod"), "v1").ok());
  EXPECT_FALSE(parseListPage(R"({"items":[]})", watched("", "Pod"), "v1").ok());
  EXPECT_FALSE(parseListPage(R"({"metadata":{"resourceVersion":"5"},"items":{}})", watched("", "Pod"), "v1").ok());
}

}  // namespace
}  // namespace meshward::cluster::kube
