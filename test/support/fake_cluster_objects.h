#pragma once
// Kubernetes and Istio objects shaped like the ones a real API server returns (a pod as the
// kubelet and the Istio injector leave it, with status, volumes and the injection status
// annotation), for the live cluster-state tests, the e2e stand-in and the benchmark.

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

nlohmann::json destinationRuleObject(const std::string& namespace_name, const std::string& name,
                                     const std::string& host, const std::vector<std::string>& subsets,
                                     const std::string& api_version = "networking.istio.io/v1");

nlohmann::json gatewayObject(const std::string& namespace_name, const std::string& name,
                             const std::string& api_version = "networking.istio.io/v1");

}  // namespace meshward::test_support
