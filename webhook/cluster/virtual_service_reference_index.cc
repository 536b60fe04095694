#include "webhook/cluster/virtual_service_reference_index.h"

#include <algorithm>
#include <cctype>

#include "policies/common/virtual_service_references.h"

namespace meshward::cluster {
namespace {

std::string reversedLowercase(std::string_view text) {
  std::string reversed(text.rbegin(), text.rend());
  std::transform(reversed.begin(), reversed.end(), reversed.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return reversed;
}

}  // namespace

VirtualServiceReferences summarizeVirtualService(std::string_view namespace_name,
                                                 const nlohmann::json& virtual_service) {
  VirtualServiceReferences summary;
  for (const policies::DestinationReference& destination :
       policies::destinationReferences(virtual_service, namespace_name)) {
    if (destination.resolved_host.empty()) {
      continue;
    }
    std::set<std::string>& subsets = summary.subsets_by_host[destination.resolved_host];
    if (!destination.subset.empty()) {
      subsets.insert(destination.subset);
    }
  }
  for (const policies::GatewayReference& gateway : policies::gatewayReferences(virtual_service, namespace_name)) {
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

std::vector<ObjectKey> VirtualServiceReferenceIndex::boundToGateway(std::string_view gateway_namespace,
                                                                    std::string_view gateway_name) const {
  std::vector<ObjectKey> result;
  const auto bound = by_gateway_.find(ObjectName{std::string(gateway_namespace), std::string(gateway_name)});
  if (bound == by_gateway_.end()) {
    return result;
  }
  result.reserve(bound->second.size());
  for (const auto& [namespace_name, name] : bound->second) {
    result.push_back(ObjectKey{std::string(kIstioNetworkingGroup), "VirtualService", namespace_name, name});
  }
  return result;
}

}  // namespace meshward::cluster
