#include "policies/change_governance/change_governance_rule.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/rule_harness.h"
#include "webhook/common/rfc3339.h"

namespace meshward::policies {
namespace {

using test_support::objectFromYaml;
using test_support::RequestOptions;
using test_support::RuleHarness;
using test_support::RuleRun;

using Codes = std::vector<std::string>;

const std::string kEnvoyFilter =
    "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: lua, namespace: shop}\n"
    "spec: {configPatches: [{applyTo: HTTP_FILTER}]}\n";
const std::string kMeshWidePeerAuthentication =
    "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\n"
    "spec: {mtls: {mode: STRICT}}\n";
const std::string kNamespaceWidePeerAuthentication =
    "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: shop}\n"
    "spec: {mtls: {mode: STRICT}}\n";
const std::string kWorkloadPeerAuthentication =
    "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: web, namespace: istio-system}\n"
    "spec: {selector: {matchLabels: {app: web}}, mtls: {mode: STRICT}}\n";
const std::string kRootAuthorizationPolicy =
    "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: "
    "istio-system}\nspec: {}\n";
const std::string kShopAuthorizationPolicy =
    "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: allow, namespace: shop}\n"
    "spec: {rules: [{}]}\n";
const std::string kRootSidecar =
    "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: istio-system}\n"
    "spec: {egress: [{hosts: [\"./*\"]}]}\n";
const std::string kRootDestinationRule =
    "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: default, namespace: istio-system}\n"
    "spec: {host: \"*.local\", trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}\n";
const std::string kMeshConfig =
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-canary, namespace: istio-system, labels: "
    "{istio.io/rev: canary}}\ndata: {mesh: \"accessLogFile: /dev/stdout\"}\n";
const std::string kInjectorTemplates =
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-sidecar-injector-canary, namespace: istio-system, "
    "labels: {istio.io/rev: canary}}\ndata: {config: \"policy: enabled\"}\n";

std::string namespaceWith(const std::string& labels) {
  return "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: " + labels + "}\n";
}

std::chrono::system_clock::time_point at(const std::string& rfc3339) {
  return parseRfc3339(rfc3339).value_or(std::chrono::system_clock::time_point{});
}

// Wednesday 2026-12-09 10:00 CET (inside the weekday window) and 20:00 CET (outside it).
const std::string kInside = "2026-12-09T09:00:00Z";
const std::string kOutside = "2026-12-09T19:00:00Z";

struct Request {
  std::string operation = "CREATE";
  std::string object = {};
  std::string old_object = {};
  std::string user = "jane";
  std::vector<std::string> groups = {"developers", "system:authenticated"};
  std::string time = kInside;
};

struct Case {
  std::string name;
  Request request;
  Codes codes;                     // empty when admitted without a finding
  std::vector<std::string> named;  // what the messages must say
};

class ChangeGovernanceTest : public ::testing::Test {
 protected:
  ChangeGovernanceTest() : harness_(rule_) {
    harness_.settings().action = Action::Deny;
    harness_.settings().set("meshWideOwners", std::vector<std::string>{"group:platform-team", "user:alice"});
    harness_.settings().set("envoyFilterOwners", std::vector<std::string>{"group:platform-team"});
    harness_.settings().set("namespaceWideOwners", std::vector<std::string>{});
    harness_.settings().set("injectionOwners", std::vector<std::string>{"group:platform-team", "group:sre"});
    harness_.settings().set("windows", std::vector<std::string>{"Mon-Fri 09:00-17:00 Europe/Berlin",
                                                                "Sat 22:00-02:00 UTC"});
  }

  RuleRun run(const Request& request) {
    RequestOptions options;
    options.operation = request.operation;
    options.user = request.user;
    options.groups = request.groups;
    options.now = at(request.time);
    if (!request.old_object.empty()) {
      options.old_object = objectFromYaml(request.old_object);
    }
    return harness_.run(request.object.empty() ? nlohmann::json() : objectFromYaml(request.object), options);
  }

  void expectCases(const std::vector<Case>& cases) {
    for (const Case& test_case : cases) {
      const RuleRun run = this->run(test_case.request);
      ASSERT_EQ(run.codes(), test_case.codes) << test_case.name << "\n" << run.messages();
      for (const std::string& named : test_case.named) {
        EXPECT_NE(run.messages().find(named), std::string::npos) << test_case.name << ": " << named << "\n"
                                                                 << run.messages();
      }
    }
  }

  ChangeGovernanceRule rule_;
  RuleHarness harness_;
};

Request by(std::string user, std::vector<std::string> groups, Request request) {
  request.user = std::move(user);
  request.groups = std::move(groups);
  return request;
}

Request when(std::string time, Request request) {
  request.time = std::move(time);
  return request;
}

TEST_F(ChangeGovernanceTest, DeniesHighRiskChangesByOthersThanTheirOwners) {
  expectCases({
      {"an EnvoyFilter by a developer",
       {.object = kEnvoyFilter},
       {"MW1001"},
       {"EnvoyFilter shop/lua (an EnvoyFilter, category envoy-filter): creating it is a high-risk mesh change that "
        "only its owners may make (group platform-team), not jane (groups developers).",
        "break glass (meshward.dev/break-glass with a reason)"}},
      {"a mesh-wide PeerAuthentication",
       {.object = kMeshWidePeerAuthentication},
       {"MW1001"},
       {"(a mesh-wide PeerAuthentication, category mesh-wide)", "(group platform-team; user alice)"}},
      {"deleting a root-namespace AuthorizationPolicy",
       {.operation = "DELETE", .old_object = kRootAuthorizationPolicy},
       {"MW1001"},
       {"AuthorizationPolicy istio-system/deny-all (a root-namespace AuthorizationPolicy, category mesh-wide): "
        "deleting it"}},
      {"a root-namespace Sidecar", {.object = kRootSidecar}, {"MW1001"}, {"a root-namespace Sidecar"}},
      {"a root-namespace DestinationRule", {.object = kRootDestinationRule}, {"MW1001"}, {"a root-namespace DestinationRule"}},
      {"the mesh config of a revision",
       {.operation = "UPDATE",
        .object = kMeshConfig,
        .old_object = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-canary, namespace: istio-system, labels: "
                      "{istio.io/rev: canary}}\ndata: {mesh: \"\"}\n"},
       {"MW1001"},
       {"ConfigMap istio-system/istio-canary (the mesh config ConfigMap, category mesh-wide): this update"}},
      {"a namespace joining the mesh",
       {.object = namespaceWith("{istio-injection: enabled}")},
       {"MW1001"},
       {"Namespace shop (the namespace's injection labels, category injection): creating it", "(groups platform-team, sre)"}},
      {"a namespace moving revision",
       {.operation = "UPDATE", .object = namespaceWith("{istio.io/rev: canary}"), .old_object = namespaceWith("{istio.io/rev: stable}")},
       {"MW1001"},
       {"this update"}},
  });
}

TEST_F(ChangeGovernanceTest, AdmitsOwnersAndWhatIsNotHighRisk) {
  expectCases({
      {"an EnvoyFilter by the owning group", by("bob", {"platform-team"}, {.object = kEnvoyFilter}), {}, {}},
      {"a mesh-wide change by an owning user", by("alice", {}, {.object = kMeshWidePeerAuthentication}), {}, {}},
      {"a namespace-wide PeerAuthentication: its category has no owners",
       {.object = kNamespaceWidePeerAuthentication}, {}, {}},
      {"a workload-level PeerAuthentication", {.object = kWorkloadPeerAuthentication}, {}, {}},
      {"an AuthorizationPolicy outside the root namespace", {.object = kShopAuthorizationPolicy}, {}, {}},
      {"another ConfigMap of the control plane", {.object = kInjectorTemplates}, {}, {}},
      {"an update that leaves the spec as it was",
       {.operation = "UPDATE",
        .object = "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: lua, namespace: shop, "
                  "labels: {team: a}}\nspec: {configPatches: [{applyTo: HTTP_FILTER}]}\n",
        .old_object = kEnvoyFilter},
       {}, {}},
      {"a namespace update that leaves the injection labels", {.operation = "UPDATE",
        .object = namespaceWith("{istio-injection: enabled, team: a}"), .old_object = namespaceWith("{istio-injection: enabled}")},
       {}, {}},
      {"a namespace without injection labels", {.object = namespaceWith("{team: a}")}, {}, {}},
      {"deleting a namespace", {.operation = "DELETE", .old_object = namespaceWith("{istio-injection: enabled}")}, {}, {}},
  });
}

TEST_F(ChangeGovernanceTest, DeniesHighRiskChangesOutsideEveryWindowSayingWhenTheNextOpens) {
  expectCases({
      {"an owner on Wednesday evening",
       when(kOutside, by("bob", {"platform-team"}, {.object = kEnvoyFilter})),
       {"MW1002"},
       {"EnvoyFilter shop/lua (an EnvoyFilter, category envoy-filter): creating it is a high-risk mesh change, made "
        "outside every maintenance window (Mon-Fri 09:00-17:00 Europe/Berlin; Sat 22:00-02:00 UTC). The next window "
        "opens Thu 2026-12-10 09:00 CET (in 13h); apply it then"}},
      {"Saturday afternoon: the Saturday night window is next",
       when("2026-12-12T15:00:00Z", by("bob", {"platform-team"}, {.object = kEnvoyFilter})),
       {"MW1002"},
       {"opens Sat 2026-12-12 22:00 UTC (in 7h)"}},
      {"neither an owner nor inside a window",
       when(kOutside, {.object = kMeshWidePeerAuthentication}),
       {"MW1001", "MW1002"},
       {}},
      {"a category without owners still keeps to the windows",
       when(kOutside, {.object = kNamespaceWidePeerAuthentication}),
       {"MW1002"},
       {}},
  });
  expectCases({
      {"after midnight inside the Saturday window",
       when("2026-12-13T01:30:00Z", by("bob", {"platform-team"}, {.object = kEnvoyFilter})), {}, {}},
      {"what is not high-risk is never held to a window", when(kOutside, {.object = kShopAuthorizationPolicy}), {}, {}},
  });
}

TEST_F(ChangeGovernanceTest, WithoutWindowsOnlyOwnershipCounts) {
  harness_.settings().set("windows", std::vector<std::string>{});
  expectCases({{"an owner at night", when(kOutside, by("bob", {"platform-team"}, {.object = kEnvoyFilter})), {}, {}}});
}

TEST_F(ChangeGovernanceTest, IsOffInTheDefaultPolicy) {
  EXPECT_EQ(rule_.metadata().default_action, Action::Off);
}

}  // namespace
}  // namespace meshward::policies
