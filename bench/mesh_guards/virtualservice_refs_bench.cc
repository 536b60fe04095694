// A VirtualService with 20 subset destinations and 3 gateways checked by virtualservice-subset-exists
// and virtualservice-gateway-exists against a cluster of 5,000 DestinationRules (some wildcard, some
// with exportTo) and 500 Gateways (argument: the number of DestinationRules, to show the cost does
// not grow with it).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "policies/policy.h"
#include "policies/virtualservice_references/virtualservice_gateway_exists_rule.h"
#include "policies/virtualservice_references/virtualservice_subset_exists_rule.h"
#include "webhook/admission/engine.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/cluster/offline_cluster_state.h"

namespace meshward {
namespace {

// Every index the registered rules declare, as `meshward check` builds them.
const std::vector<const cluster::IndexSpec*>& kIndexes() {
  return admission::registeredRequirements(cluster::ObjectSource::Manifests).indexes;
}

constexpr int kNamespaces = 100;
constexpr int kGateways = 500;
constexpr int kDestinations = 20;
constexpr int kBoundGateways = 3;

std::string namespaceOf(int index) { return "ns-" + std::to_string(index % kNamespaces); }

cluster::Manifest manifest(nlohmann::json object) { return cluster::Manifest{std::move(object), "bench.yaml", 1}; }

nlohmann::json destinationRule(int index) {
  nlohmann::json rule = {{"apiVersion", "networking.istio.io/v1"},
                         {"kind", "DestinationRule"},
                         {"metadata", {{"name", "svc-" + std::to_string(index)}, {"namespace", namespaceOf(index)}}}};
  nlohmann::json& spec = rule["spec"];
  spec["subsets"] = {{{"name", "v1"}}, {{"name", "v2"}}, {{"name", "v3"}}};
  if (index % 50 == 0) {
    spec["host"] = "*.zone-" + std::to_string(index) + ".example.com";
  } else {
    spec["host"] = "svc-" + std::to_string(index);
  }
  if (index % 10 == 3) {
    spec["exportTo"] = {"."};
  } else if (index % 10 == 7) {
    spec["exportTo"] = {".", "shop"};
  }
  return rule;
}

// The cluster for `rules` DestinationRules, built once per size.
const cluster::OfflineClusterState& clusterWith(int rules) {
  static std::map<int, std::unique_ptr<cluster::OfflineClusterState>> built;
  std::unique_ptr<cluster::OfflineClusterState>& state = built[rules];
  if (state == nullptr) {
    std::vector<cluster::Manifest> manifests;
    for (int i = 0; i < rules; ++i) {
      manifests.push_back(manifest(destinationRule(i)));
    }
    manifests.push_back(manifest({{"apiVersion", "networking.istio.io/v1"},
                                  {"kind", "DestinationRule"},
                                  {"metadata", {{"name", "everything"}, {"namespace", "istio-system"}}},
                                  {"spec", {{"host", "*"}, {"exportTo", {"."}}}}}));
    for (int i = 0; i < kGateways; ++i) {
      manifests.push_back(manifest({{"apiVersion", "networking.istio.io/v1"},
                                    {"kind", "Gateway"},
                                    {"metadata", {{"name", "gw-" + std::to_string(i)}, {"namespace", namespaceOf(i)}}},
                                    {"spec", {{"selector", {{"istio", "ingressgateway"}}}}}}));
    }
    state = std::make_unique<cluster::OfflineClusterState>(manifests, kIndexes());
  }
  return *state;
}

// Routes to 20 visible subsets (exported everywhere or to shop, one through a wildcard host); with
// `broken`, the last destination names a subset no rule defines.
nlohmann::json virtualService(bool broken) {
  nlohmann::json routes = nlohmann::json::array();
  for (int i = 0; i < kDestinations; ++i) {
    const int rule = i == 0 ? 50 : 7 + 10 * i;
    const std::string host = i == 0 ? "api.zone-50.example.com"
                                    : "svc-" + std::to_string(rule) + "." + namespaceOf(rule) + ".svc.cluster.local";
    const std::string subset = broken && i == kDestinations - 1 ? "v9" : "v2";
    routes.push_back({{"route", {{{"destination", {{"host", host}, {"subset", subset}}}}}}});
  }
  nlohmann::json gateways = nlohmann::json::array();
  for (int i = 0; i < kBoundGateways; ++i) {
    gateways.push_back(namespaceOf(i * 7) + "/gw-" + std::to_string(i * 7));
  }
  return {{"apiVersion", "networking.istio.io/v1"},
          {"kind", "VirtualService"},
          {"metadata", {{"name", "storefront"}, {"namespace", "shop"}}},
          {"spec", {{"hosts", {"shop.example.com"}}, {"gateways", gateways}, {"http", routes}}}};
}

policies::RequestFacts requestFacts() {
  policies::RequestFacts facts;
  facts.operation = "CREATE";
  facts.group = "networking.istio.io";
  facts.version = "v1";
  facts.kind = "VirtualService";
  facts.namespace_name = "shop";
  facts.name = "storefront";
  facts.user = "bench";
  return facts;
}

void runRule(benchmark::State& state, const policies::Rule& rule, bool broken, std::size_t expected_findings) {
  const cluster::OfflineClusterState& cluster = clusterWith(static_cast<int>(state.range(0)));
  const nlohmann::json object = virtualService(broken);
  const nlohmann::json old_object;
  const policies::RequestFacts facts = requestFacts();
  const policies::RuleSettings settings = policies::defaultSettings(rule);
  const policies::MeshSettings mesh;
  const policies::RuleContext context{facts, object, old_object, cluster, settings, mesh};
  for (auto _ : state) {
    policies::Report report(rule.metadata().id, settings.action);
    rule.evaluate(context, report);
    if (report.findings().size() != expected_findings) {
      state.SkipWithError("unexpected findings");
      break;
    }
    benchmark::DoNotOptimize(report.findings());
  }
}

void BM_VirtualServiceSubsetExists(benchmark::State& state) {
  runRule(state, policies::VirtualServiceSubsetExistsRule(), false, 0);
}
BENCHMARK(BM_VirtualServiceSubsetExists)->Arg(5000)->Arg(50000)->Unit(benchmark::kMicrosecond);

void BM_VirtualServiceSubsetExistsDenied(benchmark::State& state) {
  runRule(state, policies::VirtualServiceSubsetExistsRule(), true, 1);
}
BENCHMARK(BM_VirtualServiceSubsetExistsDenied)->Arg(5000)->Unit(benchmark::kMicrosecond);

void BM_VirtualServiceGatewayExists(benchmark::State& state) {
  runRule(state, policies::VirtualServiceGatewayExistsRule(), false, 0);
}
BENCHMARK(BM_VirtualServiceGatewayExists)->Arg(5000)->Unit(benchmark::kMicrosecond);

// Both rules (and any other validating rule for VirtualServices) as the webhook runs them.
void BM_VirtualServiceReferencesThroughTheEngine(benchmark::State& state) {
  const cluster::OfflineClusterState& cluster = clusterWith(static_cast<int>(state.range(0)));
  const Result<policies::Policy> policy = policies::loadBuiltInPolicy();
  if (!policy) {
    state.SkipWithError(policy.error().c_str());
    return;
  }
  admission::AdmissionRequest request;
  request.api_version = "admission.k8s.io/v1";
  request.uid = "bench";
  request.resource = "virtualservices";
  request.facts = requestFacts();
  request.object = virtualService(false);
  for (auto _ : state) {
    const admission::Decision decision =
        admission::evaluate(policies::RuleType::Validating, request, *policy, cluster);
    if (!decision.allowed) {
      state.SkipWithError("denied");
      break;
    }
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_VirtualServiceReferencesThroughTheEngine)->Arg(5000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace meshward
