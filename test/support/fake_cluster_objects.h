#pragma once
// Kubernetes and Istio objects shaped like the ones a real API server returns (a pod as the
// kubelet and the Istio injector leave it, with status, volumes and the injection status
// annotation): the one builder library of the rule tests, the live cluster-state tests, the e2e
// stand-in and the benchmarks.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace meshward::test_support {

using Labels = std::map<std::string, std::string>;

nlohmann::json namespaceObject(const std::string& name, const Labels& labels = {});

struct PodShape {
  bool istio_sidecar = true;  // an injected istio-proxy container
  std::string phase = "Running";
  Labels labels = {{"app", "web"}};
};
nlohmann::json podObject(const std::string& namespace_name, const std::string& name, const PodShape& shape = {});

nlohmann::json serviceObject(const std::string& namespace_name, const std::string& name, const Labels& selector);

// What a test varies on an Istio networking object besides its namespace and name; what is
// left empty is left out.
struct IstioShape {
  Labels annotations = {};
  std::vector<std::string> export_to = {};  // spec.exportTo
  std::vector<std::string> hosts = {};      // a VirtualService's spec.hosts (default: its name)
  std::vector<std::string> gateways = {};   // a VirtualService's spec.gateways
  std::string api_version = "networking.istio.io/v1";
  nlohmann::json spec = nullptr;  // when set, the whole spec instead of the built one
};

// One subset per name, each selecting pods labelled version=<name>.
nlohmann::json destinationRuleObject(const std::string& namespace_name, const std::string& name,
                                     const std::string& host, const std::vector<std::string>& subsets,
                                     const IstioShape& shape = {});

// One http route sending traffic to every destination: "host" or "host/subset".
nlohmann::json virtualServiceObject(const std::string& namespace_name, const std::string& name,
                                    const std::vector<std::string>& destinations, const IstioShape& shape = {});

// Selects istio=ingressgateway and serves HTTP on port 80 for *.example.com.
nlohmann::json gatewayObject(const std::string& namespace_name, const std::string& name, const IstioShape& shape = {});

}  // namespace meshward::test_support
