#include "policies/make_before_break/referenced_subset_removal_rule.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/fake_cluster_objects.h"
#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::clusterFromYaml;
using test_support::destinationRuleObject;
using test_support::objectFromYaml;
using test_support::RequestOptions;
using test_support::RuleHarness;
using test_support::RuleRun;
using test_support::virtualServiceObject;

using Codes = std::vector<std::string>;
using Names = std::vector<std::string>;

const std::string kReviewsV1V2V3 = destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2", "v3"}).dump();
const std::string kCanaryInShop = virtualServiceObject("shop", "reviews", {"reviews/v1", "reviews/v2"}).dump();
const std::string kCanaryFromWeb =
    virtualServiceObject("web", "frontend", {"reviews.shop.svc.cluster.local/v1", "reviews.shop.svc.cluster.local/v2"})
        .dump();

struct Case {
  std::string name;
  std::vector<std::string> cluster;  // the objects the cluster holds besides the rule under change
  std::string old_rule;
  std::string new_rule;  // "" for a DELETE
  Codes codes;
  Names named;  // the VirtualServices the message names
};

class ReferencedSubsetRemovalTest : public ::testing::Test {
 protected:
  ReferencedSubsetRemovalTest() : harness_(rule_) {}

  RuleRun change(const std::vector<std::string>& cluster_objects, const std::string& old_rule,
                 const std::string& new_rule) {
    cluster_ = clusterFromYaml(cluster_objects);
    RequestOptions options;
    options.operation = new_rule.empty() ? "DELETE" : "UPDATE";
    options.old_object = objectFromYaml(old_rule);
    options.cluster = cluster_.get();
    return harness_.run(new_rule.empty() ? nlohmann::json() : objectFromYaml(new_rule), options);
  }

  ReferencedSubsetRemovalRule rule_;
  RuleHarness harness_;
  std::unique_ptr<cluster::ClusterState> cluster_;
};

TEST_F(ReferencedSubsetRemovalTest, DeniesTakingAwayASubsetInUseAndAllowsTheRest) {
  const std::vector<Case> cases = {
      {"subset in use removed",
       {kCanaryInShop},
       kReviewsV1V2V3,
       destinationRuleObject("shop", "reviews", "reviews", {"v1", "v3"}).dump(),
       {"MW0601"},
       {"shop/reviews"}},
      {"unused subset removed",
       {kCanaryInShop},
       kReviewsV1V2V3,
       destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2"}).dump(),
       {},
       {}},
      {"subsets only added",
       {kCanaryInShop},
       kReviewsV1V2V3,
       destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2", "v3", "v4"}).dump(),
       {},
       {}},
      {"host changed",
       {kCanaryInShop},
       kReviewsV1V2V3,
       destinationRuleObject("shop", "reviews", "ratings", {"v1", "v2", "v3"}).dump(),
       {"MW0601"},
       {"shop/reviews"}},
      {"host respelled as its FQDN",
       {kCanaryInShop, kCanaryFromWeb},
       kReviewsV1V2V3,
       destinationRuleObject("shop", "reviews", "reviews.shop.svc.cluster.local", {"v1", "v2", "v3"}).dump(),
       {},
       {}},
      {"exportTo narrowed to its own namespace",
       {kCanaryInShop, kCanaryFromWeb},
       kReviewsV1V2V3,
       destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2", "v3"}, {.export_to = {"."}}).dump(),
       {"MW0601"},
       {"web/frontend"}},
      {"exportTo narrowed to a list",
       {kCanaryFromWeb},
       kReviewsV1V2V3,
       destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2", "v3"}, {.export_to = {"shop", "blog"}}).dump(),
       {"MW0601"},
       {"web/frontend"}},
      {"exportTo widened",
       {kCanaryFromWeb},
       destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2", "v3"}, {.export_to = {"."}}).dump(),
       destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2", "v3"}, {.export_to = {"*"}}).dump(),
       {},
       {}},
      {"deleted", {kCanaryInShop, kCanaryFromWeb}, kReviewsV1V2V3, "", {"MW0601"}, {"shop/reviews", "web/frontend"}},
      {"deleted while the cluster still holds it",
       {kReviewsV1V2V3, kCanaryInShop},
       kReviewsV1V2V3,
       "",
       {"MW0601"},
       {"shop/reviews"}},
      {"deleted, another DestinationRule defines the subsets",
       {kCanaryInShop,
        destinationRuleObject("shop", "reviews-next", "reviews.shop.svc.cluster.local", {"v1", "v2"}).dump()},
       kReviewsV1V2V3,
       "",
       {},
       {}},
      {"deleted, the other DestinationRule is hidden from the VirtualService",
       {kCanaryInShop, kCanaryFromWeb,
        destinationRuleObject("shop", "reviews-next", "reviews", {"v1", "v2"}, {.export_to = {"."}}).dump()},
       kReviewsV1V2V3,
       "",
       {"MW0601"},
       {"web/frontend"}},
      {"deleted, a wildcard DestinationRule defines the subsets",
       {kCanaryInShop, destinationRuleObject("istio-system", "everything", "*", {"v1", "v2"}).dump()},
       kReviewsV1V2V3,
       "",
       {},
       {}},
      {"deleted, never visible from the VirtualService's namespace",
       {kCanaryFromWeb},
       destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2"}, {.export_to = {"."}}).dump(),
       "",
       {},
       {}},
      {"deleted, VirtualService routes without subsets",
       {virtualServiceObject("shop", "reviews", {"reviews"}).dump()},
       kReviewsV1V2V3,
       "",
       {},
       {}},
      {"deleted, VirtualService routes to another host with the same subsets",
       {virtualServiceObject("shop", "ratings", {"ratings/v1"}).dump()},
       kReviewsV1V2V3,
       "",
       {},
       {}},
      {"deleted, VirtualService in an ignored namespace",
       {virtualServiceObject("kube-system", "probe", {"reviews.shop.svc.cluster.local/v1"}).dump()},
       kReviewsV1V2V3,
       "",
       {},
       {}},
      {"wildcard-host DestinationRule deleted",
       {virtualServiceObject("shop", "api", {"api.example.com/v1"}).dump(),
        virtualServiceObject("shop", "www", {"www.example.org/v1"}).dump()},
       destinationRuleObject("shop", "example", "*.example.com", {"v1"}).dump(),
       "",
       {"MW0601"},
       {"shop/api"}},
      {"wildcard-host DestinationRule deleted, an exact one defines the subset",
       {virtualServiceObject("shop", "api", {"api.example.com/v1", "docs.example.com/v1"}).dump(),
        destinationRuleObject("shop", "api", "api.example.com", {"v1"}).dump()},
       destinationRuleObject("shop", "example", "*.example.com", {"v1"}).dump(),
       "",
       {"MW0601"},
       {"shop/api"}},
      {"wildcard-host DestinationRule deleted, exact ones define every subset",
       {virtualServiceObject("shop", "api", {"api.example.com/v1"}).dump(),
        destinationRuleObject("shop", "api", "api.example.com", {"v1"}).dump()},
       destinationRuleObject("shop", "example", "*.example.com", {"v1"}).dump(),
       "",
       {},
       {}},
      {"wildcard host narrowed to one host",
       {virtualServiceObject("shop", "api", {"api.example.com/v1"}).dump()},
       destinationRuleObject("shop", "example", "*.example.com", {"v1"}).dump(),
       destinationRuleObject("shop", "example", "api.example.com", {"v1"}).dump(),
       {},
       {}},
  };
  for (const Case& test_case : cases) {
    const RuleRun run = change(test_case.cluster, test_case.old_rule, test_case.new_rule);
    EXPECT_EQ(run.codes(), test_case.codes) << test_case.name << "\n" << run.messages();
    for (const std::string& named : test_case.named) {
      EXPECT_NE(run.messages().find(named), std::string::npos) << test_case.name << ": " << named << " not named\n"
                                                               << run.messages();
    }
    if (!test_case.named.empty()) {  // those and no others
      const std::string count = std::to_string(test_case.named.size()) +
                                (test_case.named.size() == 1 ? " VirtualService " : " VirtualServices ");
      EXPECT_NE(run.messages().find(count), std::string::npos) << test_case.name << ": not " << count << "\n"
                                                               << run.messages();
    }
    for (const Finding& finding : run.findings) {
      EXPECT_EQ(finding.action, Action::Deny) << test_case.name;
    }
  }
}

TEST_F(ReferencedSubsetRemovalTest, MessageSaysWhatBreaksAndWhatToDoFirst) {
  const RuleRun run = change({kCanaryInShop, kCanaryFromWeb}, kReviewsV1V2V3,
                             destinationRuleObject("shop", "reviews", "reviews", {"v1", "v3"}).dump());
  ASSERT_EQ(run.findings.size(), 1u) << run.messages();
  EXPECT_EQ(run.findings[0].rule, "referenced-subset-removal");
  EXPECT_EQ(run.findings[0].message,
            "DestinationRule shop/reviews: this update removes subset v2 of reviews.shop.svc.cluster.local while 2 "
            "VirtualServices still route there and no other DestinationRule visible to them defines it: "
            "shop/reviews, web/frontend. Envoy would answer those routes with 503 errors. Make before break: first "
            "change those VirtualServices to stop using subset v2, then apply this change.");
}

TEST_F(ReferencedSubsetRemovalTest, MessageNamesTheCauseAndEachVirtualServicesSubsets) {
  const std::string only_v1_from_web =
      virtualServiceObject("web", "legacy", {"reviews.shop.svc.cluster.local/v1"}).dump();
  RuleRun run = change({kCanaryInShop, only_v1_from_web}, kReviewsV1V2V3, "");
  ASSERT_EQ(run.findings.size(), 1u) << run.messages();
  EXPECT_NE(run.findings[0].message.find("DestinationRule shop/reviews: deleting it removes subsets v1, v2 of "
                                         "reviews.shop.svc.cluster.local while 2 VirtualServices still route there "
                                         "and no other DestinationRule visible to them defines them: shop/reviews "
                                         "(v1, v2), web/legacy (v1)."),
            std::string::npos)
      << run.findings[0].message;

  run = change({kCanaryInShop}, kReviewsV1V2V3,
               destinationRuleObject("shop", "reviews", "ratings", {"v1", "v2", "v3"}).dump());
  ASSERT_EQ(run.findings.size(), 1u) << run.messages();
  EXPECT_NE(run.findings[0].message.find(": changing spec.host from reviews to ratings removes subsets v1, v2"),
            std::string::npos)
      << run.findings[0].message;

  run = change({kCanaryFromWeb}, kReviewsV1V2V3,
               destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2", "v3"}, {.export_to = {"."}}).dump());
  ASSERT_EQ(run.findings.size(), 1u) << run.messages();
  EXPECT_NE(run.findings[0].message.find(": narrowing spec.exportTo removes subsets v1, v2"), std::string::npos)
      << run.findings[0].message;
}

TEST_F(ReferencedSubsetRemovalTest, NamesTheFirstFiveVirtualServicesThenCountsTheRest) {
  std::vector<std::string> cluster_objects;
  for (int i = 1; i <= 7; ++i) {
    cluster_objects.push_back(virtualServiceObject("shop", "route-" + std::to_string(i), {"reviews/v2"}).dump());
  }
  const RuleRun run = change(cluster_objects, kReviewsV1V2V3, "");
  ASSERT_EQ(run.findings.size(), 1u) << run.messages();
  EXPECT_NE(run.findings[0].message.find("while 7 VirtualServices still route there and no other DestinationRule "
                                         "visible to them defines it: shop/route-1, shop/route-2, shop/route-3, "
                                         "shop/route-4, shop/route-5 and 2 more."),
            std::string::npos)
      << run.findings[0].message;
}

TEST_F(ReferencedSubsetRemovalTest, MirrorsTcpAndTlsRoutesCountAsUses) {
  const std::string mirror = R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shadow, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
    mirror: {host: reviews, subset: v3}
  tcp:
  - route:
    - destination: {host: reviews, subset: v1}
)";
  const RuleRun run =
      change({mirror}, kReviewsV1V2V3, destinationRuleObject("shop", "reviews", "reviews", {"v1", "v2"}).dump());
  EXPECT_EQ(run.codes(), Codes{"MW0601"}) << run.messages();
  EXPECT_NE(run.messages().find("subset v3"), std::string::npos) << run.messages();
}

// A state that is there but has not finished its first list.
class SyncingClusterState final : public cluster::ClusterState {
 public:
  bool available() const override { return true; }
  bool ready() const override { return false; }
  std::optional<cluster::NamespaceInfo> findNamespace(std::string_view) const override { return std::nullopt; }
};

TEST_F(ReferencedSubsetRemovalTest, WarnsInsteadOfGuessingWhenTheStateCannotTell) {
  const cluster::NoClusterState no_state;
  const SyncingClusterState syncing;
  const test_support::FakeClusterState namespaces_only;  // follows no Istio kind
  const std::vector<std::pair<const cluster::ClusterState*, std::string>> states = {
      {&no_state, "meshward has no cluster state"},
      {&syncing, "the cluster state is still being listed"},
      {&namespaces_only, "the cluster state does not follow VirtualServices"},
  };
  for (const auto& [state, expected] : states) {
    RequestOptions options;
    options.operation = "DELETE";
    options.old_object = objectFromYaml(kReviewsV1V2V3);
    options.cluster = state;
    RuleRun run = harness_.run(nlohmann::json(), options);
    ASSERT_EQ(run.codes(), Codes{"MW0003"}) << expected;
    EXPECT_EQ(run.findings[0].action, Action::Warn);
    EXPECT_EQ(run.findings[0].message.rfind("DestinationRule shop/reviews: referenced-subset-removal could not be "
                                            "checked because " +
                                                expected,
                                            0),
              0u)
        << run.findings[0].message;

    options.operation = "UPDATE";
    EXPECT_TRUE(harness_.run(objectFromYaml(kReviewsV1V2V3), options).findings.empty())
        << "an update that removes nothing needs no state";
  }
  harness_.settings().action = Action::Audit;
  RequestOptions options;
  options.operation = "DELETE";
  options.old_object = objectFromYaml(kReviewsV1V2V3);
  options.cluster = &no_state;
  const RuleRun run = harness_.run(nlohmann::json(), options);
  ASSERT_EQ(run.codes(), Codes{"MW0003"});
  EXPECT_EQ(run.findings[0].action, Action::Audit) << "the audit action stays silent";
}

TEST_F(ReferencedSubsetRemovalTest, RunsOnDestinationRuleUpdatesAndDeletesOnly) {
  const nlohmann::json rule = objectFromYaml(kReviewsV1V2V3);
  RequestOptions options;
  EXPECT_FALSE(harness_.appliesTo(rule, options)) << "CREATE, as in meshward check";
  options.operation = "UPDATE";
  EXPECT_TRUE(harness_.appliesTo(rule, options));
  options.operation = "DELETE";
  options.old_object = rule;
  EXPECT_TRUE(harness_.appliesTo(nlohmann::json(), options));
  EXPECT_FALSE(harness_.appliesTo(objectFromYaml(kCanaryInShop), options));
}

}  // namespace
}  // namespace meshward::policies
