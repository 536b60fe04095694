#include "policies/indexes/virtual_service_references_index.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace meshward::policies {
namespace {

using cluster::ObjectKey;

using json = nlohmann::json;
using Routes = std::vector<VirtualServiceRoute>;
using Keys = std::vector<ObjectKey>;

ObjectKey virtualService(const std::string& namespace_name, const std::string& name) {
  return ObjectKey{"networking.istio.io", "VirtualService", namespace_name, name};
}

// A VirtualService whose first http route sends traffic to `destinations` ([{host, subset?}]).
json routingTo(const std::string& destinations, const std::string& gateways = "[]") {
  return json::parse(R"({"spec":{"gateways":)" + gateways + R"(,"http":[{"route":[)" + destinations + "]}]}}");
}

TEST(SummarizeVirtualService, ResolvesHostsAndCollectsSubsetsAndGateways) {
  const json service = json::parse(R"({"spec":{
      "gateways":["mesh","ingress","istio-system/public"],
      "http":[{"route":[{"destination":{"host":"reviews","subset":"v2"}},
                        {"destination":{"host":"reviews","subset":"v1"}},
                        {"destination":{"host":"reviews","subset":"v2"}}],
               "mirror":{"host":"ratings.other.svc.cluster.local","subset":"shadow"}}],
      "tcp":[{"route":[{"destination":{"host":"db"}}]}]}})");
  const VirtualServiceReferences summary = summarizeVirtualService("shop", service);
  EXPECT_EQ(summary.subsets_by_host, (std::map<std::string, std::set<std::string>>{
                                         {"db.shop.svc.cluster.local", {}},
                                         {"ratings.other.svc.cluster.local", {"shadow"}},
                                         {"reviews.shop.svc.cluster.local", {"v1", "v2"}},
                                     }));
  EXPECT_EQ(summary.gateways,
            (std::set<std::pair<std::string, std::string>>{{"istio-system", "public"}, {"shop", "ingress"}}));
}

TEST(SummarizeVirtualService, ToleratesObjectsOfTheWrongShape) {
  EXPECT_EQ(summarizeVirtualService("shop", json::array()), VirtualServiceReferences{});
  EXPECT_EQ(summarizeVirtualService("shop", json::parse(R"({"spec":{"http":"nonsense","gateways":{}}})")),
            VirtualServiceReferences{});
}

TEST(VirtualServiceReferenceIndex, AnswersWhoRoutesToAHostWithTheSubsetsTheyName) {
  VirtualServiceReferenceIndex index;
  index.update("shop", "reviews", routingTo(R"({"destination":{"host":"reviews","subset":"v2"}})"));
  index.update("web", "frontend", routingTo(R"({"destination":{"host":"reviews.shop.svc.cluster.local","subset":"v1"}},
                            {"destination":{"host":"reviews.shop.svc.cluster.local","subset":"v3"}})"));
  index.update("web", "plain", routingTo(R"({"destination":{"host":"reviews.shop.svc.cluster.local"}})"));
  index.update("web", "reviews", routingTo(R"({"destination":{"host":"reviews","subset":"v2"}})"));

  EXPECT_EQ(index.routingTo("reviews.shop.svc.cluster.local"), (Routes{
                                                                   {"shop", "reviews", {"v2"}},
                                                                   {"web", "frontend", {"v1", "v3"}},
                                                                   {"web", "plain", {}},
                                                               }));
  EXPECT_EQ(index.routingTo("REVIEWS.web.svc.cluster.local"), (Routes{{"web", "reviews", {"v2"}}}));
  EXPECT_TRUE(index.routingTo("ratings.shop.svc.cluster.local").empty());
  EXPECT_TRUE(index.routingTo("").empty());
}

TEST(VirtualServiceReferenceIndex, AWildcardHostAnswersEveryHostItMatches) {
  VirtualServiceReferenceIndex index;
  index.update("shop", "api", routingTo(R"({"destination":{"host":"api.example.com","subset":"v1"}},
                                           {"destination":{"host":"docs.example.com","subset":"v2"}})"));
  index.update("shop", "deep", routingTo(R"({"destination":{"host":"a.b.example.com","subset":"v1"}})"));
  index.update("shop", "bare", routingTo(R"({"destination":{"host":"example.com","subset":"v1"}})"));
  index.update("shop", "lookalike", routingTo(R"({"destination":{"host":"notexample.com","subset":"v1"}})"));

  EXPECT_EQ(index.routingTo("*.example.com"), (Routes{
                                                  {"shop", "api", {"v1", "v2"}},
                                                  {"shop", "deep", {"v1"}},
                                              }));
  EXPECT_EQ(index.routingTo("*.b.example.com"), (Routes{{"shop", "deep", {"v1"}}}));
  EXPECT_EQ(index.routingTo("*").size(), 4u);
  EXPECT_TRUE(index.routingTo("*.example.org").empty());
}

TEST(VirtualServiceReferenceIndex, AnswersWhoBindsToAGateway) {
  VirtualServiceReferenceIndex index;
  index.update("shop", "frontend", routingTo(R"({"destination":{"host":"web"}})", R"(["ingress"])"));
  index.update("web", "site", routingTo(R"({"destination":{"host":"web"}})", R"(["shop/ingress","mesh"])"));
  index.update("web", "internal", routingTo(R"({"destination":{"host":"web"}})", R"(["ingress"])"));

  EXPECT_EQ(index.boundToGateway("shop", "ingress"),
            (Keys{virtualService("shop", "frontend"), virtualService("web", "site")}));
  EXPECT_EQ(index.boundToGateway("web", "ingress"), (Keys{virtualService("web", "internal")}));
  EXPECT_TRUE(index.boundToGateway("shop", "mesh").empty());
  EXPECT_TRUE(index.boundToGateway("istio-system", "ingress").empty());
}

TEST(VirtualServiceReferenceIndex, MovesAChangedVirtualServiceAndForgetsRemovedOnes) {
  VirtualServiceReferenceIndex index;
  index.update("shop", "reviews", routingTo(R"({"destination":{"host":"reviews","subset":"v2"}})", R"(["ingress"])"));
  index.update("shop", "reviews", routingTo(R"({"destination":{"host":"ratings","subset":"v1"}})", R"(["public"])"));
  EXPECT_TRUE(index.routingTo("reviews.shop.svc.cluster.local").empty());
  EXPECT_TRUE(index.boundToGateway("shop", "ingress").empty());
  EXPECT_EQ(index.routingTo("ratings.shop.svc.cluster.local"), (Routes{{"shop", "reviews", {"v1"}}}));
  EXPECT_EQ(index.boundToGateway("shop", "public"), (Keys{virtualService("shop", "reviews")}));

  index.update("shop", "other", routingTo(R"({"destination":{"host":"ratings","subset":"v1"}})", R"(["public"])"));
  index.remove("shop", "reviews");
  index.remove("shop", "reviews");
  index.remove("shop", "never-there");
  EXPECT_EQ(index.routingTo("ratings.shop.svc.cluster.local"), (Routes{{"shop", "other", {"v1"}}}));
  EXPECT_EQ(index.boundToGateway("shop", "public"), (Keys{virtualService("shop", "other")}));

  index.clear();
  EXPECT_TRUE(index.routingTo("*").empty());
  EXPECT_TRUE(index.boundToGateway("shop", "public").empty());
}

}  // namespace
}  // namespace meshward::policies
