// authorization-policy-lockout against 50,000 pods in 500 namespaces and 5,000 AuthorizationPolicies
// (per namespace: a namespace-wide ALLOW and nine workload-level ALLOWs), with a mesh-wide default
// deny in the root namespace; one namespace in five holds ten callers without a sidecar. Reviews: a
// mesh-wide allow-nothing CREATE (every pod judged), a namespace-wide allow-nothing CREATE, a
// workload-level ALLOW for a namespace of sidecar-less callers, and deleting a namespace's only
// namespace-wide ALLOW under the default deny.

#include <cstdio>
#include <string>
#include <vector>

#include "bench/mesh_guards/rule_bench.h"
#include "policies/authorization_policy_lockout/authorization_policy_lockout_rule.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/cluster/offline_cluster_state.h"

namespace meshward {
namespace {

constexpr int kNamespaces = 500;
constexpr int kPodsPerNamespace = 100;
constexpr int kWorkloadPolicies = 9;
constexpr int kCallersEvery = 5;
constexpr int kCallersPerNamespace = 10;

std::string namespaceName(int index) {
  char name[16];
  std::snprintf(name, sizeof(name), "team-%03d", index);
  return name;
}

cluster::Manifest manifest(nlohmann::json object) { return cluster::Manifest{std::move(object), "bench.yaml", 1}; }

nlohmann::json pod(const std::string& namespace_name, int index, bool sidecar) {
  nlohmann::json containers = {{{"name", "app"}}};
  if (sidecar) {
    containers.push_back({{"name", "istio-proxy"}});
  }
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", "svc-" + std::to_string(index) + "-7f9c6b5d4-x2k8p"},
            {"namespace", namespace_name},
            {"labels", {{"app", "svc-" + std::to_string(index % 10)}}}}},
          {"spec", {{"containers", containers}}},
          {"status", {{"phase", "Running"}}}};
}

nlohmann::json authorizationPolicy(const std::string& namespace_name, const std::string& name, nlohmann::json spec) {
  return {{"apiVersion", "security.istio.io/v1"},
          {"kind", "AuthorizationPolicy"},
          {"metadata", {{"name", name}, {"namespace", namespace_name}}},
          {"spec", std::move(spec)}};
}

nlohmann::json allowFromNamespace(const std::string& namespace_name) {
  return nlohmann::json::array({{{"from", {{{"source", {{"namespaces", {namespace_name}}}}}}}}});
}

nlohmann::json namespaceAllow(const std::string& namespace_name) {
  return authorizationPolicy(namespace_name, "allow-namespace",
                             {{"rules", nlohmann::json::array({{{"to", {{{"operation", {{"methods", {"GET"}}}}}}}}})}});
}

const cluster::OfflineClusterState& cluster() {
  static const cluster::OfflineClusterState state = [] {
    std::vector<cluster::Manifest> manifests;
    manifests.push_back(manifest({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "istio-system"}}}}));
    manifests.push_back(manifest(authorizationPolicy("istio-system", "deny-all", nlohmann::json::object())));
    for (int n = 0; n < kNamespaces; ++n) {
      const std::string namespace_name = namespaceName(n);
      manifests.push_back(manifest({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", namespace_name}}}}));
      const bool callers = n % kCallersEvery == 0;
      for (int p = 0; p < kPodsPerNamespace; ++p) {
        manifests.push_back(manifest(pod(namespace_name, p, !(callers && p < kCallersPerNamespace))));
      }
      manifests.push_back(manifest(namespaceAllow(namespace_name)));
      for (int w = 0; w < kWorkloadPolicies; ++w) {
        manifests.push_back(manifest(authorizationPolicy(
            namespace_name, "allow-svc-" + std::to_string(w),
            {{"selector", {{"matchLabels", {{"app", "svc-" + std::to_string(w)}}}}},
             {"rules", allowFromNamespace(namespaceName((n + 1) % kNamespaces))}})));
      }
    }
    return cluster::OfflineClusterState(std::move(manifests),
                                        admission::registeredRequirements(cluster::ObjectSource::Manifests).indexes);
  }();
  return state;
}

void run(benchmark::State& state, const std::string& operation, const nlohmann::json& object,
         const nlohmann::json& old_object) {
  const policies::AuthorizationPolicyLockoutRule rule;
  const nlohmann::json& subject = object.is_object() ? object : old_object;
  policies::RequestFacts facts;
  facts.operation = operation;
  facts.group = "security.istio.io";
  facts.version = "v1";
  facts.kind = "AuthorizationPolicy";
  facts.namespace_name = subject["metadata"]["namespace"].get<std::string>();
  facts.name = subject["metadata"]["name"].get<std::string>();
  facts.user = "bench";
  bench::evaluateRule(state, rule, facts, object, old_object, cluster(), policies::defaultSettings(rule));
}

void BM_AuthorizationLockoutMeshWideAllowNothingCreate(benchmark::State& state) {
  run(state, "CREATE", authorizationPolicy("istio-system", "deny-all-2", nlohmann::json::object()), nullptr);
}
BENCHMARK(BM_AuthorizationLockoutMeshWideAllowNothingCreate)->Unit(benchmark::kMicrosecond);

void BM_AuthorizationLockoutNamespaceAllowNothingCreate(benchmark::State& state) {
  run(state, "CREATE", authorizationPolicy(namespaceName(21), "deny-all", nlohmann::json::object()), nullptr);
}
BENCHMARK(BM_AuthorizationLockoutNamespaceAllowNothingCreate)->Unit(benchmark::kMicrosecond);

void BM_AuthorizationLockoutIdentityOnlyCreate(benchmark::State& state) {
  run(state, "CREATE",
      authorizationPolicy(namespaceName(21), "from-team-000",
                          {{"selector", {{"matchLabels", {{"app", "svc-9"}}}}}, {"rules", allowFromNamespace(namespaceName(0))}}),
      nullptr);
}
BENCHMARK(BM_AuthorizationLockoutIdentityOnlyCreate)->Unit(benchmark::kMicrosecond);

void BM_AuthorizationLockoutNamespaceAllowDelete(benchmark::State& state) {
  run(state, "DELETE", nullptr, namespaceAllow(namespaceName(21)));
}
BENCHMARK(BM_AuthorizationLockoutNamespaceAllowDelete)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace meshward
