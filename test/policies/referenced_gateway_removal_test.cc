#include "policies/make_before_break/referenced_gateway_removal_rule.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/fake_cluster_objects.h"
#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::clusterFromYaml;
using test_support::gatewayObject;
using test_support::objectFromYaml;
using test_support::RequestOptions;
using test_support::RuleHarness;
using test_support::RuleRun;
using test_support::virtualServiceObject;

using Codes = std::vector<std::string>;
using Names = std::vector<std::string>;

// A VirtualService <namespace>/<name> for <name>.example.com bound to `gateways`.
std::string boundTo(const std::string& namespace_name, const std::string& name,
                    const std::vector<std::string>& gateways) {
  return virtualServiceObject(namespace_name, name, {name}, {.hosts = {name + ".example.com"}, .gateways = gateways})
      .dump();
}

const std::string kIngress = gatewayObject("istio-system", "ingress").dump();

struct Case {
  std::string name;
  std::vector<std::string> cluster;  // the objects the cluster holds besides the Gateway
  Codes codes;
  Names named;  // the VirtualServices the message names
};

class ReferencedGatewayRemovalTest : public ::testing::Test {
 protected:
  ReferencedGatewayRemovalTest() : harness_(rule_) {}

  RuleRun remove(const std::string& removed_gateway, const std::vector<std::string>& cluster_objects) {
    cluster_ = clusterFromYaml(cluster_objects);
    RequestOptions options;
    options.operation = "DELETE";
    options.old_object = objectFromYaml(removed_gateway);
    options.cluster = cluster_.get();
    return harness_.run(nlohmann::json(), options);
  }

  ReferencedGatewayRemovalRule rule_;
  RuleHarness harness_;
  std::unique_ptr<cluster::ClusterState> cluster_;
};

TEST_F(ReferencedGatewayRemovalTest, DeniesDeletingAGatewayVirtualServicesStillBindTo) {
  const std::vector<Case> cases = {
      {"bound by namespace/name",
       {kIngress, boundTo("shop", "web", {"istio-system/ingress"})},
       {"MW0602"},
       {"shop/web"}},
      {"bound by name from its own namespace",
       {kIngress, boundTo("istio-system", "status", {"ingress", "mesh"})},
       {"MW0602"},
       {"istio-system/status"}},
      {"bound among other gateways",
       {kIngress, boundTo("shop", "web", {"shop/public", "istio-system/ingress"}),
        boundTo("blog", "posts", {"istio-system/ingress"})},
       {"MW0602"},
       {"blog/posts", "shop/web"}},
      {"nothing binds to it", {kIngress, boundTo("shop", "web", {"mesh"})}, {}, {}},
      {"a Gateway of the same name in another namespace is bound",
       {kIngress, boundTo("shop", "web", {"ingress"})},
       {},
       {}},
      {"bound only from an ignored namespace",
       {kIngress, boundTo("kube-system", "probe", {"istio-system/ingress"})},
       {},
       {}},
      {"the VirtualService no longer binds to it",
       {kIngress, boundTo("shop", "web", {"istio-system/ingress-v2"})},
       {},
       {}},
  };
  for (const Case& test_case : cases) {
    const RuleRun run = remove(kIngress, test_case.cluster);
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

TEST_F(ReferencedGatewayRemovalTest, MessageNamesTheVirtualServicesToChangeFirst) {
  const RuleRun run = remove(kIngress, {boundTo("shop", "web", {"istio-system/ingress"})});
  ASSERT_EQ(run.findings.size(), 1u) << run.messages();
  EXPECT_EQ(run.findings[0].rule, "referenced-gateway-removal");
  EXPECT_EQ(run.findings[0].message,
            "Gateway istio-system/ingress: 1 VirtualService still binds to it through spec.gateways: shop/web. "
            "Deleting it takes their routes off the gateway, so the traffic it lets in stops reaching them. Make "
            "before break: first remove this Gateway from spec.gateways of those VirtualServices (or bind them to its "
            "replacement), then delete it.");
}

TEST_F(ReferencedGatewayRemovalTest, NamesTheFirstFiveVirtualServicesThenCountsTheRest) {
  std::vector<std::string> cluster_objects;
  for (int i = 1; i <= 6; ++i) {
    cluster_objects.push_back(boundTo("shop", "site-" + std::to_string(i), {"istio-system/ingress"}));
  }
  const RuleRun run = remove(kIngress, cluster_objects);
  ASSERT_EQ(run.findings.size(), 1u) << run.messages();
  EXPECT_NE(run.findings[0].message.find("6 VirtualServices still bind to it through spec.gateways: shop/site-1, "
                                         "shop/site-2, shop/site-3, shop/site-4, shop/site-5 and 1 more."),
            std::string::npos)
      << run.findings[0].message;
}

TEST_F(ReferencedGatewayRemovalTest, WarnsInsteadOfGuessingWhenTheStateCannotTell) {
  const cluster::NoClusterState no_state;
  const test_support::FakeClusterState namespaces_only;  // follows no Istio kind
  for (const cluster::ClusterState* state : {static_cast<const cluster::ClusterState*>(&no_state),
                                             static_cast<const cluster::ClusterState*>(&namespaces_only)}) {
    RequestOptions options;
    options.operation = "DELETE";
    options.old_object = objectFromYaml(kIngress);
    options.cluster = state;
    const RuleRun run = harness_.run(nlohmann::json(), options);
    ASSERT_EQ(run.codes(), Codes{"MW0003"});
    EXPECT_EQ(run.findings[0].action, Action::Warn);
    EXPECT_NE(run.findings[0].message.find("Gateway istio-system/ingress: referenced-gateway-removal could not be "
                                           "checked because"),
              std::string::npos)
        << run.findings[0].message;
  }
}

TEST_F(ReferencedGatewayRemovalTest, RunsOnGatewayDeletesOnly) {
  const nlohmann::json ingress = objectFromYaml(kIngress);
  RequestOptions options;
  EXPECT_FALSE(harness_.appliesTo(ingress, options));
  options.operation = "UPDATE";
  EXPECT_FALSE(harness_.appliesTo(ingress, options));
  options.operation = "DELETE";
  options.old_object = ingress;
  EXPECT_TRUE(harness_.appliesTo(nlohmann::json(), options));
}

}  // namespace
}  // namespace meshward::policies
