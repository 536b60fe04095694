#include "policies/virtualservice_references/virtualservice_subset_exists_rule.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/fake_cluster_objects.h"
#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::objectFromYaml;
using test_support::RequestOptions;
using test_support::RuleHarness;
using test_support::RuleRun;

using Codes = std::vector<std::string>;

// The VirtualService <namespace>/vs of a table row: `spec` is a YAML flow mapping.
nlohmann::json virtualService(const std::string& namespace_name, const std::string& spec) {
  return test_support::virtualServiceObject(namespace_name, "vs", {}, {.spec = objectFromYaml(spec)});
}

// spec.http[0].route[0] to host+subset.
std::string routeTo(const std::string& host, const std::string& subset) {
  return "{http: [{route: [{destination: {host: \"" + host + "\", subset: " + subset + "}}]}]}";
}

class VirtualServiceSubsetExistsTest : public ::testing::Test {
 protected:
  RuleRun run(const nlohmann::json& object, const cluster::ClusterState& state, std::string operation = "CREATE") {
    RequestOptions options;
    options.operation = std::move(operation);
    options.cluster = &state;
    return harness_.run(object, options);
  }
  RuleRun run(const nlohmann::json& object) { return run(object, *cluster_); }

  VirtualServiceSubsetExistsRule rule_;
  RuleHarness harness_{rule_};
  std::unique_ptr<cluster::ClusterState> cluster_ =
      test_support::clusterFromTestdata("virtualservice_references/cluster.yaml");
};

TEST_F(VirtualServiceSubsetExistsTest, ResolvesHostsAndVisibilityAsIstioDoes) {
  struct Case {
    std::string what;
    std::string namespace_name;
    std::string spec;
    Codes codes;
  };
  const std::vector<Case> cases = {
      {"short name, subset defined", "shop", routeTo("reviews", "v1"), {}},
      {"short name, subset missing", "shop", routeTo("reviews", "v3"), {"MW0501"}},
      {"FQDN", "shop", routeTo("reviews.shop.svc.cluster.local", "v2"), {}},
      {"FQDN, upper case", "shop", routeTo("Reviews.Shop.svc.cluster.local", "v2"), {}},
      {"FQDN from another namespace, no exportTo", "billing", routeTo("reviews.shop.svc.cluster.local", "v1"), {}},
      {"short name means the VirtualService's namespace", "billing", routeTo("reviews", "v1"), {"MW0501"}},
      {"name.ns matches a rule with that host as written", "shop", routeTo("inventory.other", "v1"), {}},
      {"name.ns is not expanded to the FQDN", "shop", routeTo("inventory.other", "v2"), {"MW0501"}},
      {"wildcard DestinationRule host", "shop", routeTo("shop.example.com", "canary"), {}},
      {"wildcard does not match the bare domain", "shop", routeTo("example.com", "canary"), {"MW0501"}},
      {"exportTo . from its own namespace", "other", routeTo("ratings", "v1"), {}},
      {"exportTo . from another namespace", "shop", routeTo("ratings.other.svc.cluster.local", "v1"), {"MW0501"}},
      {"exportTo *", "shop", routeTo("details.other.svc.cluster.local", "v1"), {}},
      {"exportTo ~ hides it even from its own namespace", "other", routeTo("payments", "v1"), {"MW0501"}},
      {"exportTo list, first namespace", "shop", routeTo("orders.other.svc.cluster.local", "v1"), {}},
      {"exportTo list, second namespace", "billing", routeTo("orders.other.svc.cluster.local", "v1"), {}},
      {"exportTo list, namespace not listed", "web", routeTo("orders.other.svc.cluster.local", "v1"), {"MW0501"}},
      {"root namespace rule exported to .", "shop", routeTo("catalog", "v3"), {"MW0501"}},
      {"root namespace rule exported everywhere", "shop", routeTo("catalog", "v4"), {}},
      {"mirror", "shop",
       "{http: [{route: [{destination: {host: reviews, subset: v1}}], mirror: {host: reviews, subset: v9}}]}",
       {"MW0501"}},
      {"mirror with a defined subset", "shop",
       "{http: [{route: [{destination: {host: reviews, subset: v1}}], mirror: {host: reviews, subset: v2}}]}", {}},
      {"mirrors", "shop",
       "{http: [{route: [{destination: {host: reviews}}], mirrors: [{destination: {host: reviews, subset: v9}}]}]}",
       {"MW0501"}},
      {"tcp route", "shop", "{tcp: [{route: [{destination: {host: db, subset: primary}}]}]}", {}},
      {"tcp route, subset missing", "shop", "{tcp: [{route: [{destination: {host: db, subset: replica}}]}]}",
       {"MW0501"}},
      {"tls route, subset missing", "shop",
       "{tls: [{match: [{sniHosts: [reviews]}], route: [{destination: {host: reviews, subset: v9}}]}]}", {"MW0501"}},
      {"destination without a subset needs no DestinationRule", "shop",
       "{http: [{route: [{destination: {host: nowhere}}]}]}", {}},
      {"no routes at all", "shop", "{hosts: [reviews]}", {}},
  };
  for (const Case& test : cases) {
    const RuleRun result = run(virtualService(test.namespace_name, test.spec));
    EXPECT_EQ(result.codes(), test.codes) << test.what << "\n" << result.messages();
  }
}

TEST_F(VirtualServiceSubsetExistsTest, MessageSaysWhatBreaksWhyAndHowToFix) {
  const RuleRun result = run(virtualService("shop", routeTo("reviews", "v3")));
  ASSERT_EQ(result.findings.size(), 1u);
  EXPECT_EQ(result.findings[0].action, Action::Deny);
  EXPECT_EQ(result.findings[0].rule, "virtualservice-subset-exists");
  EXPECT_EQ(result.findings[0].message,
            "VirtualService shop/vs routes to a subset that no DestinationRule visible from namespace shop defines, so "
            "Envoy answers 503 (NR/UH) for that traffic: subset v3 of reviews.shop.svc.cluster.local at "
            "http[0].route[0] (visible DestinationRules define only: shop/reviews [v1, v2]). Create the "
            "DestinationRule with subset v3 first, or apply it in an earlier Argo CD sync wave than this "
            "VirtualService. istioctl analyze reports this as IST0101 (ReferencedResourceNotFound).");
}

TEST_F(VirtualServiceSubsetExistsTest, OneFindingListsEveryMissingSubsetOnce) {
  const RuleRun result = run(virtualService("shop", R"({http: [
      {route: [{destination: {host: reviews, subset: v1}}, {destination: {host: reviews, subset: v3}}],
       mirror: {host: reviews, subset: v3}},
      {route: [{destination: {host: unknown, subset: v1}}]}]})"));
  ASSERT_EQ(result.findings.size(), 1u) << result.messages();
  const std::string& message = result.findings[0].message;
  EXPECT_NE(message.find("routes to 2 subsets that no DestinationRule visible from namespace shop define"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("subset v3 of reviews.shop.svc.cluster.local at http[0].route[1], http[0].mirror"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("subset v1 of unknown.shop.svc.cluster.local at http[1].route[0] (no DestinationRule for "
                         "this host)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("Create the DestinationRules with these subsets first"), std::string::npos) << message;
}

TEST_F(VirtualServiceSubsetExistsTest, ExplainsWhyNoVisibleRuleDefinesTheSubset) {
  struct Case {
    std::string host;
    std::string subset;
    std::string explanation;
  };
  const std::vector<Case> cases = {
      {"ratings.other.svc.cluster.local", "v1",
       "(DestinationRule other/ratings (exportTo [.]) defines it but is not exported to namespace shop)"},
      {"catalog", "v3",
       "(DestinationRule istio-system/catalog-private (exportTo [.]) defines it but is not exported to namespace "
       "shop)"},
      {"catalog", "v5", "(visible DestinationRules define only: istio-system/catalog [v4])"},
      {"payments.other.svc.cluster.local", "v2", "(no DestinationRule for this host is exported to namespace shop)"},
      {"inventory.other", "v2",
       "(visible DestinationRules define only: shop/inventory-as-written [v1]; Istio does not expand "
       "\"inventory.other\", write inventory.other.svc.cluster.local)"},
  };
  for (const Case& test : cases) {
    const RuleRun result = run(virtualService("shop", routeTo(test.host, test.subset)));
    ASSERT_EQ(result.findings.size(), 1u) << test.host;
    EXPECT_NE(result.findings[0].message.find(test.explanation), std::string::npos) << result.findings[0].message;
  }
}

class UnreadyClusterState final : public cluster::ClusterState {
 public:
  bool available() const override { return true; }
  bool ready() const override { return false; }
  std::optional<cluster::NamespaceInfo> findNamespace(std::string_view) const override { return std::nullopt; }
  bool tracksKind(std::string_view, std::string_view) const override { return true; }
};

TEST_F(VirtualServiceSubsetExistsTest, WarnsInsteadOfDenyingWhenTheStateCannotAnswer) {
  const cluster::NoClusterState no_state;
  const UnreadyClusterState unready;
  const test_support::FakeClusterState namespaces_only;
  const std::vector<std::pair<const cluster::ClusterState*, std::string>> states = {
      {&no_state, "meshward has no cluster state"},
      {&unready, "the cluster state is still being listed"},
      {&namespaces_only, "the cluster state does not follow DestinationRules (networking.istio.io)"},
  };
  for (const auto& [state, reason] : states) {
    const RuleRun result = run(virtualService("shop", routeTo("reviews", "v3")), *state);
    ASSERT_EQ(result.codes(), Codes{"MW0003"}) << reason;
    EXPECT_EQ(result.findings[0].action, Action::Warn);
    EXPECT_NE(result.findings[0].message.find("VirtualService shop/vs: virtualservice-subset-exists could not be "
                                              "checked because " +
                                              reason),
              std::string::npos)
        << result.findings[0].message;
    EXPECT_TRUE(run(virtualService("shop", "{http: [{route: [{destination: {host: reviews}}]}]}"), *state)
                    .findings.empty())
        << "nothing to check, nothing to say";
  }
  harness_.settings().action = Action::Audit;
  const RuleRun audited = run(virtualService("shop", routeTo("reviews", "v3")), no_state);
  ASSERT_EQ(audited.findings.size(), 1u);
  EXPECT_EQ(audited.findings[0].action, Action::Audit);
}

TEST_F(VirtualServiceSubsetExistsTest, AppliesToCreateAndUpdateOfVirtualServices) {
  const nlohmann::json object = virtualService("shop", routeTo("reviews", "v3"));
  EXPECT_TRUE(harness_.appliesTo(object));
  RequestOptions update;
  update.operation = "UPDATE";
  EXPECT_TRUE(harness_.appliesTo(object, update));
  EXPECT_EQ(run(object, *cluster_, "UPDATE").codes(), Codes{"MW0501"});
  RequestOptions removal;
  removal.operation = "DELETE";
  EXPECT_FALSE(harness_.appliesTo(object, removal));
  EXPECT_FALSE(harness_.appliesTo(objectFromYaml("apiVersion: networking.istio.io/v1\nkind: DestinationRule\n")));
}

}  // namespace
}  // namespace meshward::policies
