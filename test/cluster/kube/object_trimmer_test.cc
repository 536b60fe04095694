#include "webhook/cluster/kube/object_trimmer.h"

#include <gtest/gtest.h>

#include "test/support/fake_cluster_objects.h"
#include "webhook/cluster/kube/list_page.h"

namespace meshward::cluster::kube {
namespace {

using json = nlohmann::json;

const WatchedKind& watched(std::string_view kind) {
  for (const WatchedKind& candidate : watchedKinds()) {
    if (candidate.kind == kind) {
      return candidate;
    }
  }
  throw std::logic_error("not watched");
}

TEST(ObjectTrimmer, KeepsWhatPodRulesRead) {
  json pod = test_support::podObject("shop", "web-1");
  pod["spec"]["hostNetwork"] = true;
  pod["spec"]["initContainers"] = {{{"name", "istio-validation"}, {"image", "proxyv2"}, {"restartPolicy", "Always"}}};
  const std::size_t full_size = pod.dump().size();
  const json trimmed = trimObject(watched("Pod"), "v1", std::move(pod));

  EXPECT_EQ(trimmed["apiVersion"], "v1");
  EXPECT_EQ(trimmed["kind"], "Pod");
  EXPECT_EQ(trimmed["metadata"]["name"], "web-1");
  EXPECT_EQ(trimmed["metadata"]["namespace"], "shop");
  EXPECT_EQ(trimmed["metadata"]["labels"]["app"], "web");
  EXPECT_EQ(trimmed["metadata"]["annotations"], (json{{"istio.io/rev", "default"}}))
      << "mesh annotations stay; the injection status blob and unrelated ones go";
  EXPECT_EQ(
      trimmed["metadata"]["ownerReferences"],
      (json::array(
          {{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "web-7d8f9c6b5d"}, {"controller", true}}})));
  EXPECT_EQ(trimmed["spec"]["hostNetwork"], true);
  EXPECT_EQ(trimmed["spec"]["serviceAccountName"], "web");
  ASSERT_EQ(trimmed["spec"]["containers"].size(), 2u);
  EXPECT_EQ(trimmed["spec"]["containers"][1]["name"], "istio-proxy");
  EXPECT_EQ(trimmed["spec"]["containers"][1]["resources"]["limits"]["memory"], "1Gi");
  EXPECT_FALSE(trimmed["spec"]["containers"][1].contains("env"));
  EXPECT_EQ(trimmed["spec"]["initContainers"][0], (json{{"name", "istio-validation"}, {"restartPolicy", "Always"}}));
  EXPECT_EQ(trimmed["status"], (json{{"phase", "Running"}}));
  EXPECT_FALSE(trimmed["spec"].contains("volumes"));
  EXPECT_LT(trimmed.dump().size() * 3, full_size) << trimmed.dump();
}

TEST(ObjectTrimmer, KeepsServiceRoutingAndIstioSpecs) {
  const json service =
      trimObject(watched("Service"), "v1", test_support::serviceObject("shop", "web", {{"app", "web"}}));
  EXPECT_EQ(service["spec"]["selector"], (json{{"app", "web"}}));
  EXPECT_EQ(service["spec"]["ports"][0]["targetPort"], 8080);
  EXPECT_EQ(service["spec"]["type"], "ClusterIP");
  EXPECT_FALSE(service["spec"].contains("sessionAffinity"));
  EXPECT_FALSE(service.contains("status"));

  json rule = test_support::destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2"});
  rule["metadata"]["creationTimestamp"] = "2026-11-01T08:00:00Z";
  rule["metadata"]["generation"] = 3;
  const json expected_spec = rule["spec"];
  const json trimmed = trimObject(watched("DestinationRule"), "networking.istio.io/v1beta1", std::move(rule));
  EXPECT_EQ(trimmed["spec"], expected_spec);
  EXPECT_EQ(trimmed["apiVersion"], "networking.istio.io/v1beta1");
  EXPECT_EQ(trimmed["metadata"]["creationTimestamp"], "2026-11-01T08:00:00Z")
      << "the older of two PeerAuthentications at one level wins, so age is kept";
  EXPECT_FALSE(trimmed["metadata"].contains("generation"));
}

TEST(ObjectTrimmer, NamespacesKeepLabelsAndMeshAnnotations) {
  json ns = test_support::namespaceObject("shop", {{"istio-injection", "enabled"}});
  ns["metadata"]["annotations"] = {{"linkerd.io/inject", "enabled"},
                                   {"config.linkerd.io/proxy-memory-limit", "256Mi"},
                                   {"argocd.argoproj.io/sync-wave", "-1"},
                                   {"kubectl.kubernetes.io/last-applied-configuration", "{...}"},
                                   {"notlinkerd.io/x", "y"}};
  const json trimmed = trimObject(watched("Namespace"), "v1", std::move(ns));
  EXPECT_EQ(trimmed["metadata"]["labels"]["istio-injection"], "enabled");
  EXPECT_EQ(trimmed["metadata"]["annotations"], (json{{"linkerd.io/inject", "enabled"},
                                                      {"config.linkerd.io/proxy-memory-limit", "256Mi"},
                                                      {"argocd.argoproj.io/sync-wave", "-1"}}));
  EXPECT_FALSE(trimmed.contains("spec"));
  EXPECT_FALSE(trimmed.contains("status"));
}

TEST(ObjectTrimmer, ToleratesObjectsOfTheWrongShape) {
  EXPECT_EQ(trimObject(watched("Pod"), "v1", json::array())["metadata"], json::object());
  json wrong_shapes = json::parse(R"({"metadata":{"name":7,"labels":"x","annotations":[1],"ownerReferences":[3]},
      "spec":{"containers":[1,{"name":"app","resources":"big"}],"hostNetwork":"yes"},"status":[]})");
  const json odd = trimObject(watched("Pod"), "v1", std::move(wrong_shapes));
  EXPECT_FALSE(odd["metadata"].contains("name"));
  EXPECT_FALSE(odd["metadata"].contains("labels"));
  EXPECT_EQ(odd["metadata"]["ownerReferences"], json::array());
  EXPECT_EQ(odd["spec"]["containers"], (json::array({{{"name", "app"}}})));
  EXPECT_FALSE(odd["spec"].contains("hostNetwork"));
}

TEST(ObjectTrimmer, KeepsMeshAnnotationsOnly) {
  EXPECT_TRUE(keepsAnnotation("sidecar.istio.io/proxyMemoryLimit"));
  EXPECT_TRUE(keepsAnnotation("proxy.istio.io/config"));
  EXPECT_TRUE(keepsAnnotation("istio.io/rev"));
  EXPECT_TRUE(keepsAnnotation("config.linkerd.io/proxy-memory-limit"));
  EXPECT_TRUE(keepsAnnotation("meshward.dev/break-glass-reason"));
  EXPECT_FALSE(keepsAnnotation("sidecar.istio.io/status"));
  EXPECT_FALSE(keepsAnnotation("myistio.io/x"));
  EXPECT_FALSE(keepsAnnotation("istio.io"));
  EXPECT_FALSE(keepsAnnotation("prometheus.io/scrape"));
}

TEST(ListPage, ReadsItemsAndWhereTheListStands) {
  const std::string body =
      R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"77","continue":"abc="},
          "items":[{"metadata":{"name":"a","namespace":"x"}},{"metadata":{"name":"b","namespace":"x"}}]})";
  Result<ListPage> page = parseListPage(body, watched("Pod"), "v1");
  ASSERT_TRUE(page.ok()) << page.error();
  EXPECT_EQ(page->resource_version, "77");
  EXPECT_EQ(page->continue_token, "abc=");
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[1]["kind"], "Pod") << "list items come without kind; the cache stamps it";

  Result<ListPage> empty = parseListPage(R"({"metadata":{"resourceVersion":"5"},"items":null})", watched("Pod"), "v1");
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_TRUE(empty->items.empty());
  EXPECT_TRUE(empty->continue_token.empty());

  EXPECT_FALSE(parseListPage("<html>", watched("Pod"), "v1").ok());
  EXPECT_FALSE(parseListPage(R"({"items":[]})", watched("Pod"), "v1").ok());
  EXPECT_FALSE(parseListPage(R"({"metadata":{"resourceVersion":"5"},"items":{}})", watched("Pod"), "v1").ok());
}

}  // namespace
}  // namespace meshward::cluster::kube
