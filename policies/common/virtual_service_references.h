#pragma once
// What a VirtualService points at (route and mirror destinations, gateways) and which
// DestinationRules a namespace can see, read the way Istio reads them. Shared by the reference
// rules, the make-before-break rules and the sync-wave rule so they can never disagree.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/object_key.h"

namespace meshward::policies {

struct DestinationReference {
  std::string host;           // as written
  std::string resolved_host;  // cluster::resolveServiceHost(host, VirtualService namespace)
  std::string subset;         // "" when the destination names none
  std::string path;           // where it is written: "http[0].route[1]", "http[2].mirror", "tcp[0].route[0]"
};

// Every destination of spec.http[].route[], spec.http[].mirror, spec.http[].mirrors[],
// spec.tcp[].route[] and spec.tls[].route[], in document order; entries without a string host
// are skipped.
std::vector<DestinationReference> destinationReferences(const nlohmann::json& virtual_service,
                                                        std::string_view namespace_name);

struct GatewayReference {
  std::string written;         // the spec.gateways entry as written
  std::string namespace_name;  // "ns" of "ns/name", else the VirtualService's namespace
  std::string name;
  std::size_t index = 0;  // position in spec.gateways
};

// The entries of spec.gateways except the reserved "mesh", in order.
std::vector<GatewayReference> gatewayReferences(const nlohmann::json& virtual_service, std::string_view namespace_name);

// Whether a DestinationRule is visible from `namespace_name` under its exportTo ("*", ".", "~",
// namespace names; none means every namespace).
bool destinationRuleVisibleFrom(const cluster::DestinationRuleSubsets& rule, std::string_view namespace_name);

// The DestinationRules visible from `from_namespace` that define `subset` for `resolved_host`,
// leaving out the rule `except` names (the one a request is changing), if any.
std::vector<cluster::DestinationRuleSubsets> rulesDefiningSubset(const cluster::ClusterState& cluster,
                                                                 std::string_view from_namespace,
                                                                 std::string_view resolved_host,
                                                                 std::string_view subset,
                                                                 const cluster::ObjectKey* except = nullptr);

}  // namespace meshward::policies
