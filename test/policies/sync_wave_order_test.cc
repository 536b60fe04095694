#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "policies/sync_wave_order/sync_wave_order_rule.h"
#include "test/support/fake_cluster_objects.h"
#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::clusterFromYaml;
using test_support::objectFromYaml;
using test_support::RequestOptions;
using test_support::RuleHarness;
using test_support::RuleRun;

using Codes = std::vector<std::string>;

// reviews is in wave 1, ratings and the shared ingress Gateway carry no wave, public is in wave 0;
// internal defines v1 for namespace billing only.
constexpr const char* kCluster = R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop, annotations: {argocd.argoproj.io/sync-wave: "1"}}
spec: {host: reviews, subsets: [{name: v1}, {name: v2}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings, namespace: shop}
spec: {host: ratings, subsets: [{name: v1}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: internal, namespace: billing, annotations: {argocd.argoproj.io/sync-wave: "3"}}
spec: {host: ledger.billing.svc.cluster.local, exportTo: ["."], subsets: [{name: v1}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop, annotations: {argocd.argoproj.io/sync-wave: "0"}}
spec: {selector: {istio: ingressgateway}}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ingress, namespace: istio-system}
spec: {selector: {istio: ingressgateway}}
)";

// The VirtualService shop/vs of a table row: `annotations` and `spec` are YAML flow mappings.
nlohmann::json virtualService(const std::string& annotations, const std::string& spec) {
  return test_support::virtualServiceObject("shop", "vs", {},
                                            {.annotations = objectFromYaml(annotations), .spec = objectFromYaml(spec)});
}

std::string wave(const std::string& value) { return "{argocd.argoproj.io/sync-wave: \"" + value + "\"}"; }

constexpr const char* kToReviewsV2 =
    "{hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v2}}]}]}";
constexpr const char* kToRatingsV1 =
    "{hosts: [ratings], http: [{route: [{destination: {host: ratings, subset: v1}}]}]}";

class SyncWaveOrderTest : public ::testing::Test {
 protected:
  RuleRun run(const nlohmann::json& object, const cluster::ClusterState& state) const {
    RequestOptions options;
    options.cluster = &state;
    return harness_.run(object, options);
  }
  RuleRun run(const nlohmann::json& object) const { return run(object, *cluster_); }

  SyncWaveOrderRule rule_;
  RuleHarness harness_{rule_};
  std::unique_ptr<cluster::ClusterState> cluster_ = clusterFromYaml(kCluster);
};

TEST_F(SyncWaveOrderTest, AVirtualServiceMustComeInALaterWaveThanWhatItReferences) {
  struct Case {
    std::string name;
    std::string annotations;
    std::string spec;
    Codes codes;
  };
  const std::vector<Case> cases = {
      {"after its DestinationRule", wave("2"), kToReviewsV2, {}},
      {"in the same wave as its DestinationRule", wave("1"), kToReviewsV2, {"MW0701"}},
      {"before its DestinationRule", wave("0"), kToReviewsV2, {"MW0701"}},
      {"unannotated, DestinationRule in wave 1", "{}", kToReviewsV2, {"MW0701"}},
      {"neither side uses waves", "{}", kToRatingsV1, {}},
      {"after an unannotated DestinationRule (wave 0)", wave("1"), kToRatingsV1, {}},
      {"before an unannotated DestinationRule (wave 0)", wave("-1"), kToRatingsV1, {"MW0701"}},
      {"in wave 0 like an unannotated DestinationRule", wave("0"), kToRatingsV1, {"MW0701"}},
      {"no subset needs no DestinationRule",
       wave("0"),
       "{hosts: [reviews], http: [{route: [{destination: {host: reviews}}]}]}",
       {}},
      {"a subset nobody defines is another rule's finding",
       wave("0"),
       "{hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v9}}]}]}",
       {}},
      {"a DestinationRule not exported to shop does not count",
       wave("0"),
       "{hosts: [ledger], http: [{route: [{destination: {host: ledger.billing.svc.cluster.local, subset: v1}}]}]}",
       {}},
      {"mirror before its DestinationRule",
       wave("1"),
       "{hosts: [ratings], http: [{route: [{destination: {host: ratings, subset: v1}}], mirror: {host: reviews, "
       "subset: v1}}]}",
       {"MW0701"}},
      {"tcp route before its DestinationRule",
       wave("1"),
       "{hosts: [reviews], tcp: [{route: [{destination: {host: reviews, subset: v1}}]}]}",
       {"MW0701"}},
      {"two subsets of one DestinationRule: one finding",
       wave("0"),
       "{hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v1}}, {destination: {host: "
       "reviews, subset: v2}}]}]}",
       {"MW0701"}},
      {"in the same wave as its Gateway", wave("0"), "{hosts: [shop.example.com], gateways: [public]}", {"MW0701"}},
      {"after its Gateway", wave("1"), "{hosts: [shop.example.com], gateways: [shop/public]}", {}},
      {"unannotated, like its Gateway", "{}", "{hosts: [shop.example.com], gateways: [istio-system/ingress]}", {}},
      {"before an unannotated Gateway",
       wave("-5"),
       "{hosts: [shop.example.com], gateways: [istio-system/ingress]}",
       {"MW0701"}},
      {"mesh is no Gateway", wave("-5"), "{hosts: [reviews], gateways: [mesh]}", {}},
      {"a missing Gateway is another rule's finding", wave("-5"), "{hosts: [reviews], gateways: [missing]}", {}},
      {"Gateway and DestinationRule both later",
       wave("0"),
       "{hosts: [shop.example.com], gateways: [public], http: [{route: [{destination: {host: reviews, subset: "
       "v1}}]}]}",
       {"MW0701", "MW0701"}},
      {"wave that is not an integer", wave("two"), "{hosts: [reviews]}", {"MW0701"}},
      {"wave with a space", wave(" 3"), "{hosts: [reviews]}", {"MW0701"}},
      {"wave with a plus sign", wave("+3"), kToReviewsV2, {}},
  };
  for (const Case& test : cases) {
    const RuleRun result = run(virtualService(test.annotations, test.spec));
    EXPECT_EQ(result.codes(), test.codes) << test.name << "\n" << result.messages();
  }
}

TEST_F(SyncWaveOrderTest, MessageNamesBothWavesWhatIsReferencedAndTheFix) {
  const RuleRun result = run(virtualService(wave("0"), kToReviewsV2));
  ASSERT_EQ(result.findings.size(), 1u) << result.messages();
  EXPECT_EQ(result.findings[0].rule, "sync-wave-order");
  EXPECT_EQ(result.findings[0].action, Action::Warn);
  EXPECT_EQ(result.findings[0].message,
            "VirtualService shop/vs: Argo CD syncs it (sync-wave 0) in an earlier wave than DestinationRule "
            "shop/reviews (sync-wave 1), which defines what it routes to: subset v2 of reviews.shop.svc.cluster.local "
            "(http[0].route[0]). Argo CD applies lower waves first and a wave's objects without waiting for them to "
            "be ready, so on a fresh sync the VirtualService can route to subsets that do not exist yet, and Envoy "
            "answers 503 for those routes until the DestinationRule is applied. Give the VirtualService a later "
            "sync-wave, e.g. argocd.argoproj.io/sync-wave: \"2\".");
}

TEST_F(SyncWaveOrderTest, SameWaveAndGatewayMessages) {
  RuleRun result = run(virtualService("{}", kToReviewsV2));
  ASSERT_EQ(result.findings.size(), 1u) << result.messages();
  EXPECT_NE(result.findings[0].message.find("VirtualService shop/vs: Argo CD syncs it (sync-wave 0, no annotation) in "
                                            "an earlier wave than DestinationRule shop/reviews (sync-wave 1)"),
            std::string::npos)
      << result.findings[0].message;

  result = run(virtualService(wave("0"), "{hosts: [shop.example.com], gateways: [public]}"));
  ASSERT_EQ(result.findings.size(), 1u) << result.messages();
  EXPECT_NE(result.findings[0].message.find("Argo CD syncs it (sync-wave 0) in the same wave as Gateway shop/public "
                                            "(sync-wave 0), which it binds to: gateways[0]."),
            std::string::npos)
      << result.findings[0].message;
  EXPECT_NE(result.findings[0].message.find("its routes are not served on that Gateway (404)"), std::string::npos);
  EXPECT_NE(result.findings[0].message.find("argocd.argoproj.io/sync-wave: \"1\""), std::string::npos);
}

TEST_F(SyncWaveOrderTest, InvalidWaveSaysArgoCdIgnoresIt) {
  const RuleRun result = run(virtualService(wave("two"), "{hosts: [reviews]}"));
  ASSERT_EQ(result.findings.size(), 1u) << result.messages();
  EXPECT_EQ(result.findings[0].message,
            "VirtualService shop/vs: annotation argocd.argoproj.io/sync-wave is \"two\", which is not an integer; "
            "Argo CD ignores it and syncs the object in wave 0, not where it was meant to go. Write an integer, e.g. "
            "argocd.argoproj.io/sync-wave: \"1\".");
}

TEST_F(SyncWaveOrderTest, AnInvalidWaveIsJudgedAsWaveZero) {
  const RuleRun result = run(virtualService(wave("2a"), kToReviewsV2));
  ASSERT_EQ(result.codes(), (Codes{"MW0701", "MW0701"})) << result.messages();
  EXPECT_NE(result.findings[1].message.find("Argo CD syncs it (sync-wave 0, \"2a\" is not an integer) in an earlier "
                                            "wave than DestinationRule shop/reviews"),
            std::string::npos)
      << result.findings[1].message;
}

TEST_F(SyncWaveOrderTest, WithoutClusterStateOnlyTheAnnotationIsJudged) {
  const cluster::NoClusterState nothing;
  EXPECT_TRUE(run(virtualService(wave("0"), kToReviewsV2), nothing).findings.empty());
  EXPECT_EQ(run(virtualService(wave("zero"), kToReviewsV2), nothing).codes(), Codes{"MW0701"});
}

TEST_F(SyncWaveOrderTest, ActionFollowsThePolicy) {
  harness_.settings().action = Action::Deny;
  RuleRun result = run(virtualService(wave("0"), kToReviewsV2));
  ASSERT_EQ(result.findings.size(), 1u);
  EXPECT_EQ(result.findings[0].action, Action::Deny);
  harness_.settings().action = Action::Off;
  EXPECT_TRUE(run(virtualService(wave("0"), kToReviewsV2)).findings.empty());
}

TEST_F(SyncWaveOrderTest, RunsOnVirtualServiceCreateAndUpdateOnly) {
  const nlohmann::json object = virtualService(wave("0"), kToReviewsV2);
  RequestOptions update;
  update.operation = "UPDATE";
  RequestOptions remove;
  remove.operation = "DELETE";
  EXPECT_TRUE(harness_.appliesTo(object));
  EXPECT_TRUE(harness_.appliesTo(object, update));
  EXPECT_FALSE(harness_.appliesTo(object, remove));
  EXPECT_FALSE(harness_.appliesTo(objectFromYaml(
      "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews, namespace: shop}")));
  EXPECT_EQ(rule_.metadata().default_action, Action::Warn);
}

}  // namespace
}  // namespace meshward::policies
