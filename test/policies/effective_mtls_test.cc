#include "policies/strict_mtls/effective_mtls.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::objectFromYaml;

PeerAuthentication parsed(const std::string& namespace_name, const std::string& name, const std::string& spec,
                          const std::string& created = "") {
  const std::string yaml =
      "metadata: {" + (created.empty() ? std::string() : "creationTimestamp: \"" + created + "\"") + "}\nspec: " + spec;
  return parsePeerAuthentication(namespace_name, name, objectFromYaml(yaml));
}

std::string describe(const ModeDecision& decision) {
  static const char* const kNames[] = {"UNSET", "DISABLE", "PERMISSIVE", "STRICT"};
  const std::string mode = kNames[static_cast<int>(decision.mode)];
  if (decision.decided_by == nullptr) {
    return mode + " by default";
  }
  return mode + " by " + decision.decided_by->namespace_name + "/" + decision.decided_by->name;
}

struct ResolutionCase {
  std::string name;
  std::vector<PeerAuthentication> policies;
  std::string pod_namespace;
  cluster::Labels pod_labels;
  std::string workload;                        // describe() of the workload-wide decision
  std::map<std::uint32_t, std::string> ports;  // describe() of each port-level decision
};

const std::string kStrict = "{mtls: {mode: STRICT}}";
const std::string kPermissive = "{mtls: {mode: PERMISSIVE}}";

TEST(EffectiveMtls, ResolvesLikeIstiod) {
  const std::vector<ResolutionCase> cases = {
      {"no policy at all", {}, "shop", {}, "PERMISSIVE by default", {}},
      {"mesh-wide STRICT",
       {parsed("istio-system", "default", kStrict)},
       "shop",
       {},
       "STRICT by istio-system/default",
       {}},
      {"mesh-wide UNSET is Istio's PERMISSIVE default",
       {parsed("istio-system", "default", "{mtls: {mode: UNSET}}")},
       "shop",
       {},
       "PERMISSIVE by default",
       {}},
      {"namespace-wide beats mesh-wide",
       {parsed("istio-system", "default", kStrict), parsed("shop", "allow", kPermissive)},
       "shop",
       {},
       "PERMISSIVE by shop/allow",
       {}},
      {"namespace-wide UNSET inherits the mesh-wide mode",
       {parsed("istio-system", "default", kStrict), parsed("shop", "allow", "{}")},
       "shop",
       {},
       "STRICT by istio-system/default",
       {}},
      {"an empty matchLabels is namespace-wide",
       {parsed("shop", "all", "{selector: {matchLabels: {}}, mtls: {mode: STRICT}}")},
       "shop",
       {{"app", "web"}},
       "STRICT by shop/all",
       {}},
      {"another namespace's policy does not apply",
       {parsed("blog", "default", kStrict)},
       "shop",
       {},
       "PERMISSIVE by default",
       {}},
      {"workload-level beats namespace-wide when it selects the pod",
       {parsed("shop", "default", kStrict),
        parsed("shop", "web", "{selector: {matchLabels: {app: web}}, mtls: {mode: DISABLE}}")},
       "shop",
       {{"app", "web"}, {"version", "v2"}},
       "DISABLE by shop/web",
       {}},
      {"a selector needs every label it names",
       {parsed("shop", "default", kStrict),
        parsed("shop", "web", "{selector: {matchLabels: {app: web, version: v1}}, mtls: {mode: DISABLE}}")},
       "shop",
       {{"app", "web"}, {"version", "v2"}},
       "STRICT by shop/default",
       {}},
      {"port-level modes of a workload-level policy; UNSET ports inherit the workload's mode",
       {parsed("shop", "default", kPermissive),
        parsed("shop", "web",
               "{selector: {matchLabels: {app: web}}, portLevelMtls: {\"8080\": {mode: STRICT}, \"9090\": {}}}")},
       "shop",
       {{"app", "web"}},
       "PERMISSIVE by shop/default",
       {{8080, "STRICT by shop/web"}, {9090, "PERMISSIVE by shop/default"}}},
      {"an UNSET port inherits the workload-level mode it sits under",
       {parsed(
           "shop", "web",
           "{selector: {matchLabels: {app: web}}, mtls: {mode: STRICT}, portLevelMtls: {\"9090\": {mode: UNSET}}}")},
       "shop",
       {{"app", "web"}},
       "STRICT by shop/web",
       {{9090, "STRICT by shop/web"}}},
      {"port-level modes of a namespace-wide policy are ignored",
       {parsed("shop", "default", "{portLevelMtls: {\"8080\": {mode: STRICT}}}")},
       "shop",
       {},
       "PERMISSIVE by default",
       {}},
      {"the oldest workload-level policy wins",
       {parsed("shop", "a-newer", "{selector: {matchLabels: {app: web}}, mtls: {mode: STRICT}}",
               "2024-06-01T00:00:00Z"),
        parsed("shop", "b-older", "{selector: {matchLabels: {app: web}}, mtls: {mode: DISABLE}}",
               "2024-01-01T00:00:00Z")},
       "shop",
       {{"app", "web"}},
       "DISABLE by shop/b-older",
       {}},
      {"the oldest namespace-wide policy wins, then the first name",
       {parsed("shop", "b", kStrict, "2024-01-01T00:00:00Z"), parsed("shop", "a", kPermissive, "2024-01-01T00:00:00Z"),
        parsed("shop", "0-unstamped", kStrict)},
       "shop",
       {},
       "PERMISSIVE by shop/a",
       {}},
      {"a selector policy in the root namespace is ignored, even for the root namespace's pods",
       {parsed("istio-system", "gateway", "{selector: {matchLabels: {app: gw}}, mtls: {mode: STRICT}}")},
       "istio-system",
       {{"app", "gw"}},
       "PERMISSIVE by default",
       {}},
  };
  for (const ResolutionCase& test_case : cases) {
    std::vector<const PeerAuthentication*> pointers;
    for (const PeerAuthentication& policy : test_case.policies) {
      pointers.push_back(&policy);
    }
    const MtlsPolicies policies("istio-system", pointers);
    const EffectiveMtls effective = policies.resolve(test_case.pod_namespace, test_case.pod_labels);
    EXPECT_EQ(describe(effective.workload), test_case.workload) << test_case.name;
    std::map<std::uint32_t, std::string> ports;
    for (const auto& [port, decision] : effective.ports) {
      ports[port] = describe(decision);
    }
    EXPECT_EQ(ports, test_case.ports) << test_case.name;
    EXPECT_EQ(describe(effective.forPort(1)), test_case.workload) << test_case.name << ": an unnamed port";
  }
}

TEST(EffectiveMtls, APolicyBeingCreatedIsNewerThanEveryStoredOne) {
  PeerAuthentication created = parsed("shop", "a-new", kStrict);
  created.being_created = true;
  const PeerAuthentication stored = parsed("shop", "z-stored", kPermissive);
  EXPECT_TRUE(stored.olderThan(created));
  EXPECT_FALSE(created.olderThan(stored));
  const MtlsPolicies policies("istio-system", {&created, &stored});
  EXPECT_EQ(describe(policies.namespaceDecision("shop")), "PERMISSIVE by shop/z-stored");
}

TEST(EffectiveMtls, KnowsWhereWorkloadPoliciesAreAndWhetherAnyIsStrict) {
  const PeerAuthentication workload = parsed("shop", "web", "{selector: {matchLabels: {app: web}}, mtls: {}}");
  const PeerAuthentication permissive = parsed("blog", "default", kPermissive);
  const MtlsPolicies relaxed("istio-system", {&workload, &permissive});
  EXPECT_TRUE(relaxed.hasWorkloadPolicies("shop"));
  EXPECT_FALSE(relaxed.hasWorkloadPolicies("blog"));
  EXPECT_FALSE(relaxed.setsStrictAnywhere());

  const PeerAuthentication strict_port =
      parsed("shop", "port", "{selector: {matchLabels: {app: web}}, portLevelMtls: {\"80\": {mode: STRICT}}}");
  EXPECT_TRUE(MtlsPolicies("istio-system", {&strict_port}).setsStrictAnywhere());
  const PeerAuthentication ignored_strict = parsed("shop", "ns", "{portLevelMtls: {\"80\": {mode: STRICT}}}");
  EXPECT_FALSE(MtlsPolicies("istio-system", {&ignored_strict}).setsStrictAnywhere());
}

TEST(EffectiveMtls, ReadsPoliciesLeniently) {
  const PeerAuthentication policy = parsePeerAuthentication(
      "shop", "odd",
      objectFromYaml("metadata: {creationTimestamp: \"2024-05-23T00:22:29Z\"}\n"
                     "spec:\n  selector: {matchLabels: {app: web, replicas: 3}}\n  mtls: {mode: SOMETIMES}\n"
                     "  portLevelMtls: {\"8080\": {mode: DISABLE}, http: {mode: STRICT}, \"0\": {mode: STRICT},\n"
                     "                  \"70000\": {mode: STRICT}, \"443\": STRICT}\n"));
  EXPECT_EQ(policy.creation_timestamp, "2024-05-23T00:22:29Z");
  EXPECT_EQ(policy.selector, (cluster::Labels{{"app", "web"}, {"replicas", "3"}}));
  EXPECT_EQ(policy.mode, MtlsMode::Unset) << "an unknown mode";
  EXPECT_EQ(policy.port_modes, (std::map<std::uint32_t, MtlsMode>{{443, MtlsMode::Unset}, {8080, MtlsMode::Disable}}));

  const PeerAuthentication empty = parsePeerAuthentication("shop", "empty", nlohmann::json::array());
  EXPECT_FALSE(empty.hasSelector());
  EXPECT_EQ(empty.mode, MtlsMode::Unset);
  EXPECT_TRUE(empty.port_modes.empty());
}

}  // namespace
}  // namespace meshward::policies
