#include "policies/indexes/virtual_service_references_index.h"

#include "policies/common/virtual_service_references.h"
#include "policies/meshes/istio.h"
#include "webhook/common/ascii.h"

namespace meshward::policies {
namespace {

std::string reversedLowercase(std::string_view text) {
  const std::string lower = asciiLowercase(text);
  return std::string(lower.rbegin(), lower.rend());
}

}  // namespace

VirtualServiceReferences summarizeVirtualService(std::string_view namespace_name,
                                                 const nlohmann::json& virtual_service) {
  VirtualServiceReferences summary;
  for (const DestinationReference& destination :
       destinationReferences(virtual_service, namespace_name)) {
    if (destination.resolved_host.empty()) {
      continue;
    }
    std::set<std::string>& subsets = summary.subsets_by_host[destination.resolved_host];
    if (!destination.subset.empty()) {
      subsets.insert(destination.subset);
    }
  }
  for (const GatewayReference& gateway : gatewayReferences(virtual_service, namespace_name)) {
    summary.gateways.emplace(gateway.namespace_name, gateway.name);
  }
  return summary;
}

void VirtualServiceReferenceIndex::update(std::string_view namespace_name, std::string_view name,
                                          const nlohmann::json& virtual_service) {
  remove(namespace_name, name);
  VirtualServiceReferences summary = summarizeVirtualService(namespace_name, virtual_service);
  ObjectName service{std::string(namespace_name), std::string(name)};
  for (const auto& [host, subsets] : summary.subsets_by_host) {
    by_reversed_host_[reversedLowercase(host)].insert_or_assign(service, subsets);
  }
  for (const ObjectName& gateway : summary.gateways) {
    by_gateway_[gateway].insert(service);
  }
  filed_.insert_or_assign(std::move(service), std::move(summary));
}

void VirtualServiceReferenceIndex::remove(std::string_view namespace_name, std::string_view name) {
  const ObjectName service{std::string(namespace_name), std::string(name)};
  const auto filed = filed_.find(service);
  if (filed == filed_.end()) {
    return;
  }
  for (const auto& [host, subsets] : filed->second.subsets_by_host) {
    const auto routes = by_reversed_host_.find(reversedLowercase(host));
    if (routes != by_reversed_host_.end()) {
      routes->second.erase(service);
      if (routes->second.empty()) {
        by_reversed_host_.erase(routes);
      }
    }
  }
  for (const ObjectName& gateway : filed->second.gateways) {
    const auto bound = by_gateway_.find(gateway);
    if (bound != by_gateway_.end()) {
      bound->second.erase(service);
      if (bound->second.empty()) {
        by_gateway_.erase(bound);
      }
    }
  }
  filed_.erase(filed);
}

void VirtualServiceReferenceIndex::clear() {
  filed_.clear();
  by_reversed_host_.clear();
  by_gateway_.clear();
}

std::vector<VirtualServiceRoute> VirtualServiceReferenceIndex::routingTo(std::string_view fully_qualified_host) const {
  NamedSubsets matched;
  const NamedSubsets* answer = nullptr;
  if (!fully_qualified_host.empty() && fully_qualified_host.front() == '*') {
    const std::string suffix = reversedLowercase(fully_qualified_host.substr(1));
    for (auto routes = by_reversed_host_.lower_bound(suffix);
         routes != by_reversed_host_.end() && routes->first.starts_with(suffix); ++routes) {
      for (const auto& [service, subsets] : routes->second) {
        matched[service].insert(subsets.begin(), subsets.end());
      }
    }
    answer = &matched;
  } else if (const auto routes = by_reversed_host_.find(reversedLowercase(fully_qualified_host));
             routes != by_reversed_host_.end()) {
    answer = &routes->second;
  }
  std::vector<VirtualServiceRoute> result;
  if (answer == nullptr) {
    return result;
  }
  result.reserve(answer->size());
  for (const auto& [service, subsets] : *answer) {
    result.push_back(VirtualServiceRoute{service.first, service.second, {subsets.begin(), subsets.end()}});
  }
  return result;
}

std::vector<cluster::ObjectKey> VirtualServiceReferenceIndex::boundToGateway(std::string_view gateway_namespace,
                                                                    std::string_view gateway_name) const {
  std::vector<cluster::ObjectKey> result;
  const auto bound = by_gateway_.find(ObjectName{std::string(gateway_namespace), std::string(gateway_name)});
  if (bound == by_gateway_.end()) {
    return result;
  }
  result.reserve(bound->second.size());
  for (const auto& [namespace_name, name] : bound->second) {
    result.push_back(cluster::ObjectKey{std::string(istio::kNetworkingGroup), "VirtualService", namespace_name, name});
  }
  return result;
}

void VirtualServiceReferenceIndex::update(const cluster::ObjectKey& key, const nlohmann::json& virtual_service) {
  update(key.namespace_name, key.name, virtual_service);
}

void VirtualServiceReferenceIndex::remove(const cluster::ObjectKey& key) { remove(key.namespace_name, key.name); }

const cluster::IndexSpec& virtualServiceReferencesIndex() {
  static const cluster::SingleKindIndexSpec<VirtualServiceReferenceIndex> spec("virtual-services-by-reference", istio::VirtualService, virtualServiceReferenceFields());
  return spec;
}

std::vector<VirtualServiceRoute> virtualServicesRoutingTo(const cluster::ClusterState& cluster,
                                                          std::string_view fully_qualified_host) {
  return cluster::queryIndex<VirtualServiceReferenceIndex>(
      cluster, virtualServiceReferencesIndex(),
      [&](const VirtualServiceReferenceIndex& index) { return index.routingTo(fully_qualified_host); });
}

std::vector<cluster::ObjectKey> virtualServicesBoundToGateway(const cluster::ClusterState& cluster,
                                                              std::string_view gateway_namespace,
                                                              std::string_view gateway_name) {
  return cluster::queryIndex<VirtualServiceReferenceIndex>(
      cluster, virtualServiceReferencesIndex(), [&](const VirtualServiceReferenceIndex& index) {
        return index.boundToGateway(gateway_namespace, gateway_name);
      });
}

}  // namespace meshward::policies
