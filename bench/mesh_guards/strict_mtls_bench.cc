// strict-mtls-needs-sidecars against 50,000 pods in 500 namespaces: a mesh-wide, a namespace-wide
// and a workload-level STRICT PeerAuthentication CREATE. Argument: one namespace in N holds ten
// sidecar-less pods (5: 100 namespaces, a migration under way; 1: every namespace, the worst case).
// Ten namespaces are shielded by a namespace-wide PERMISSIVE, five carry a workload-level policy.

#include <cstdio>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "policies/policy.h"
#include "policies/strict_mtls/strict_mtls_rule.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/cluster/offline_cluster_state.h"

namespace meshward {
namespace {

// Every index the registered rules declare, as `meshward check` builds them.
const std::vector<const cluster::IndexSpec*>& kIndexes() {
  return admission::registeredRequirements(cluster::ObjectSource::Manifests).indexes;
}

constexpr int kNamespaces = 500;
constexpr int kPodsPerNamespace = 100;
constexpr int kSidecarlessPerNamespace = 10;
constexpr int kShieldEvery = 50;
constexpr int kWorkloadPolicyEvery = 100;
constexpr int kWorkloadPolicyOffset = 5;
constexpr int kKubeSystemPods = 20;

std::string namespaceName(int index) {
  char name[16];
  std::snprintf(name, sizeof(name), "team-%03d", index);
  return name;
}

cluster::Manifest manifest(nlohmann::json object) { return cluster::Manifest{std::move(object), "bench.yaml", 1}; }

nlohmann::json pod(const std::string& namespace_name, int index, bool sidecarless) {
  nlohmann::json labels = {{"app", "svc-" + std::to_string(index % 10)}};
  if (sidecarless) {
    labels = {{"app", "legacy-" + std::to_string(index % 2)}, {"sidecar.istio.io/inject", "false"}};
  }
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", "svc-" + std::to_string(index) + "-7f9c6b5d4-x2k8p"},
            {"namespace", namespace_name},
            {"labels", labels}}},
          {"spec", {{"containers", {{{"name", "app"}}}}}},
          {"status", {{"phase", "Running"}}}};
}

nlohmann::json peerAuthentication(const std::string& namespace_name, const std::string& name, nlohmann::json spec) {
  return {{"apiVersion", "security.istio.io/v1"},
          {"kind", "PeerAuthentication"},
          {"metadata", {{"name", name}, {"namespace", namespace_name}, {"creationTimestamp", "2024-01-01T00:00:00Z"}}},
          {"spec", std::move(spec)}};
}

std::vector<cluster::Manifest> clusterManifests(int sidecarless_every) {
  std::vector<cluster::Manifest> manifests;
  manifests.push_back(
      manifest({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "istio-system"}}}}));
  manifests.push_back(manifest({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "kube-system"}}}}));
  for (int i = 0; i < kKubeSystemPods; ++i) {
    manifests.push_back(manifest(pod("kube-system", i, true)));
  }
  for (int n = 0; n < kNamespaces; ++n) {
    const std::string namespace_name = namespaceName(n);
    manifests.push_back(
        manifest({{"apiVersion", "v1"},
                  {"kind", "Namespace"},
                  {"metadata", {{"name", namespace_name}, {"labels", {{"istio-injection", "enabled"}}}}}}));
    const bool has_sidecarless = n % sidecarless_every == 0;
    for (int p = 0; p < kPodsPerNamespace; ++p) {
      manifests.push_back(manifest(pod(namespace_name, p, has_sidecarless && p < kSidecarlessPerNamespace)));
    }
    if (n % kShieldEvery == 0) {
      manifests.push_back(
          manifest(peerAuthentication(namespace_name, "allow-plaintext", {{"mtls", {{"mode", "PERMISSIVE"}}}})));
    }
    if (n % kWorkloadPolicyEvery == kWorkloadPolicyOffset) {
      manifests.push_back(manifest(peerAuthentication(namespace_name, "legacy-0-port",
                                                      {{"selector", {{"matchLabels", {{"app", "legacy-0"}}}}},
                                                       {"mtls", {{"mode", "PERMISSIVE"}}},
                                                       {"portLevelMtls", {{"8080", {{"mode", "STRICT"}}}}}})));
    }
  }
  return manifests;
}

const cluster::OfflineClusterState& clusterWith(int sidecarless_every) {
  if (sidecarless_every == 1) {
    static const cluster::OfflineClusterState every_namespace(clusterManifests(1), kIndexes());
    return every_namespace;
  }
  static const cluster::OfflineClusterState migrating(clusterManifests(5), kIndexes());
  return migrating;
}

void runCreate(benchmark::State& state, const nlohmann::json& object) {
  const cluster::OfflineClusterState& cluster = clusterWith(static_cast<int>(state.range(0)));
  const policies::StrictMtlsRule rule;
  policies::RequestFacts facts;
  facts.operation = "CREATE";
  facts.group = "security.istio.io";
  facts.version = "v1";
  facts.kind = "PeerAuthentication";
  facts.namespace_name = object["metadata"]["namespace"].get<std::string>();
  facts.name = object["metadata"]["name"].get<std::string>();
  facts.user = "bench";
  const nlohmann::json old_object;
  const policies::RuleSettings settings = policies::defaultSettings(rule);
  const policies::MeshSettings mesh;
  const policies::RuleContext context{facts, object, old_object, cluster, settings, mesh};
  std::string message;
  for (auto _ : state) {
    policies::Report report(rule.metadata().id, settings.action);
    rule.evaluate(context, report);
    if (report.findings().size() != 1) {
      state.SkipWithError("expected one finding");
      break;
    }
    message = report.findings().front().message;
    benchmark::DoNotOptimize(report.findings());
  }
  state.SetLabel(message.substr(0, message.find(':', message.find("STRICT for"))));
}

nlohmann::json strictPolicy(const std::string& namespace_name, const std::string& name, nlohmann::json spec) {
  nlohmann::json policy = peerAuthentication(namespace_name, name, std::move(spec));
  policy["metadata"].erase("creationTimestamp");
  return policy;
}

void BM_StrictMtlsMeshWideCreate(benchmark::State& state) {
  runCreate(state, strictPolicy("istio-system", "default", {{"mtls", {{"mode", "STRICT"}}}}));
}
BENCHMARK(BM_StrictMtlsMeshWideCreate)->Arg(5)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_StrictMtlsNamespaceWideCreate(benchmark::State& state) {
  runCreate(state, strictPolicy(namespaceName(20), "default", {{"mtls", {{"mode", "STRICT"}}}}));
}
BENCHMARK(BM_StrictMtlsNamespaceWideCreate)->Arg(5)->Unit(benchmark::kMicrosecond);

void BM_StrictMtlsWorkloadLevelCreate(benchmark::State& state) {
  runCreate(state,
            strictPolicy(namespaceName(105), "legacy-1",
                         {{"selector", {{"matchLabels", {{"app", "legacy-1"}}}}}, {"mtls", {{"mode", "STRICT"}}}}));
}
BENCHMARK(BM_StrictMtlsWorkloadLevelCreate)->Arg(5)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace meshward
