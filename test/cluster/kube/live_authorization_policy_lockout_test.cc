// authorization-policy-lockout against the live cache: the pods with and without sidecars and the
// AuthorizationPolicies come from the API server through list and watch.

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "policies/authorization_policy_lockout/authorization_policy_lockout_rule.h"
#include "policies/indexes/authorization_policies.h"
#include "test/cluster/kube/live_test_support.h"
#include "test/support/rule_harness.h"
#include "webhook/server/metrics_impl.h"

namespace meshward::cluster::kube {
namespace {

using namespace std::chrono_literals;
using test_support::FakeKubeApiServer;
using test_support::RuleRun;
using testing::waitUntil;

nlohmann::json authorizationPolicy(const std::string& namespace_name, const std::string& name,
                                   const nlohmann::json& spec) {
  return {{"apiVersion", "security.istio.io/v1"},
          {"kind", "AuthorizationPolicy"},
          {"metadata", {{"name", name}, {"namespace", namespace_name}}},
          {"spec", spec}};
}

TEST(LiveAuthorizationPolicyLockout, DeniesTheDefaultDenyUntilAWatchEventBringsTheWorkloadsAllowPolicy) {
  FakeKubeApiServer fake;
  fake.apply(test_support::namespaceObject("istio-system"));
  fake.apply(test_support::namespaceObject("shop", {{"istio-injection", "enabled"}}));
  fake.apply(test_support::namespaceObject("legacy"));
  fake.apply(test_support::podObject("shop", "web-0", {.labels = {{"app", "web"}}}));
  fake.apply(test_support::podObject("shop", "api-0", {.labels = {{"app", "api"}}}));
  fake.apply(test_support::podObject("legacy", "report-0", {.istio_sidecar = false}));
  fake.apply(authorizationPolicy("shop", "allow-web", {{"selector", {{"matchLabels", {{"app", "web"}}}}},
                                                       {"rules", nlohmann::json::array({nlohmann::json::object()})}}));

  server::MetricsImpl metrics;
  Result<std::unique_ptr<LiveClusterState>> state =
      LiveClusterState::start(fake.connection(), metrics, testing::requirements(), testing::fastOptions());
  ASSERT_TRUE(state.ok()) << state.error();
  ASSERT_TRUE(waitUntil([&] { return (*state)->ready(); }));
  ASSERT_TRUE(waitUntil([&] { return fake.openWatches() == testing::watchedKindCount(); }));

  const policies::AuthorizationPolicyLockoutRule rule;
  test_support::RuleHarness harness(rule);
  test_support::RequestOptions options;
  options.cluster = state->get();
  const nlohmann::json default_deny = authorizationPolicy("istio-system", "deny-all", nlohmann::json::object());

  const RuleRun denied = harness.run(default_deny, options);
  ASSERT_EQ(denied.codes(), std::vector<std::string>{"MW0801"}) << denied.messages();
  EXPECT_NE(denied.findings[0].message.find("makes 1 pod with an Istio sidecar reject every request (shop/api-0)"),
            std::string::npos)
      << "web-0's ALLOW comes from the cache; report-0 has no sidecar to enforce anything: "
      << denied.findings[0].message;

  fake.apply(authorizationPolicy("shop", "allow-api", {{"selector", {{"matchLabels", {{"app", "api"}}}}},
                                                       {"rules", nlohmann::json::array({nlohmann::json::object()})}}));
  ASSERT_TRUE(waitUntil([&] { return policies::authorizationPoliciesIn(**state, "shop").size() == 2; }, 1s));
  const RuleRun allowed = harness.run(default_deny, options);
  EXPECT_EQ(allowed.codes(), std::vector<std::string>{}) << allowed.messages();

  const nlohmann::json from_legacy = authorizationPolicy(
      "shop", "from-legacy",
      {{"selector", {{"matchLabels", {{"app", "api"}}}}},
       {"rules", nlohmann::json::parse(R"([{"from": [{"source": {"namespaces": ["legacy"]}}]}])")}});
  ASSERT_TRUE(fake.remove("security.istio.io", "AuthorizationPolicy", "shop", "allow-api"));
  ASSERT_TRUE(waitUntil([&] { return policies::authorizationPoliciesIn(**state, "shop").size() == 1; }, 1s));
  const RuleRun identity_only = harness.run(from_legacy, options);
  ASSERT_EQ(identity_only.codes(), std::vector<std::string>{"MW0803"}) << identity_only.messages();
  EXPECT_NE(identity_only.findings[0].message.find("(legacy/report-0)"), std::string::npos)
      << identity_only.messages();
}

}  // namespace
}  // namespace meshward::cluster::kube
