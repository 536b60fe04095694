#pragma once
// Index "VirtualServices by reference": VirtualServices by what they reference: the hosts they route to (with the subsets they name)
// and the Gateways they bind to, kept up to date object by object so that "who still routes to
// host H" and "who still binds to Gateway G" cost O(log n) plus the answer.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/index.h"
#include "webhook/cluster/object_key.h"

namespace meshward::policies {

// A VirtualService that sends traffic to one host (route or mirror destinations of its http, tcp
// and tls routes, hosts resolved from the VirtualService's namespace).
struct VirtualServiceRoute {
  std::string namespace_name;
  std::string name;
  std::vector<std::string> subsets;  // the distinct subsets it names for that host, sorted; empty if none

  bool operator==(const VirtualServiceRoute&) const = default;
};

// What the index keeps of one VirtualService, read with policies::destinationReferences and
// policies::gatewayReferences.
struct VirtualServiceReferences {
  std::map<std::string, std::set<std::string>> subsets_by_host;  // resolved host -> subsets it names
  std::set<std::pair<std::string, std::string>> gateways;        // (namespace, name), "mesh" left out

  bool operator==(const VirtualServiceReferences&) const = default;
};

VirtualServiceReferences summarizeVirtualService(std::string_view namespace_name,
                                                 const nlohmann::json& virtual_service);

// Not thread-safe: the owner serialises writers against readers.
class VirtualServiceReferenceIndex final : public cluster::ObjectIndex {
 public:
  void update(const cluster::ObjectKey& key, const nlohmann::json& virtual_service) override;
  void remove(const cluster::ObjectKey& key) override;
  void update(std::string_view namespace_name, std::string_view name, const nlohmann::json& virtual_service);
  void remove(std::string_view namespace_name, std::string_view name);
  void clear();

  // The VirtualServices routing to `fully_qualified_host`, ordered by (namespace, name). A
  // wildcard ("*.example.com", "*") answers those routing to any host it matches, each with the
  // subsets it names for all of them.
  std::vector<VirtualServiceRoute> routingTo(std::string_view fully_qualified_host) const;
  std::vector<cluster::ObjectKey> boundToGateway(std::string_view gateway_namespace, std::string_view gateway_name) const;

 private:
  using ObjectName = std::pair<std::string, std::string>;  // namespace, name (of a VirtualService or a Gateway)
  using NamedSubsets = std::map<ObjectName, std::set<std::string>>;

  std::map<ObjectName, VirtualServiceReferences> filed_;
  // Keyed by the host spelled backwards, so the hosts a wildcard suffix matches are one range.
  std::map<std::string, NamedSubsets, std::less<>> by_reversed_host_;
  std::map<ObjectName, std::set<ObjectName>> by_gateway_;
};

const cluster::IndexSpec& virtualServiceReferencesIndex();

// The VirtualServices with a destination whose resolved host is exactly `fully_qualified_host`,
// ordered by (namespace, name). A wildcard ("*.example.com", "*", as a DestinationRule's host)
// answers those with a destination host it matches, each with its subsets for all of them.
std::vector<VirtualServiceRoute> virtualServicesRoutingTo(const cluster::ClusterState& cluster,
                                                          std::string_view fully_qualified_host);

// The VirtualServices whose spec.gateways names this Gateway ("name" from the Gateway's own
// namespace, or "namespace/name"), ordered by (namespace, name).
std::vector<cluster::ObjectKey> virtualServicesBoundToGateway(const cluster::ClusterState& cluster,
                                                              std::string_view gateway_namespace,
                                                              std::string_view gateway_name);

}  // namespace meshward::policies
