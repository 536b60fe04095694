#pragma once
// Index "Gateways by name": every Istio Gateway by namespace and name with its Argo CD sync wave,
// so a rule asking whether a Gateway exists, or in which wave it syncs, never decodes the cached
// Gateway.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/index.h"

namespace meshward::policies {

struct GatewaySummary {
  std::optional<std::string> sync_wave;  // the argocd.argoproj.io/sync-wave annotation when a string

  bool operator==(const GatewaySummary&) const = default;
};

// Not thread-safe: the owner serialises writers against readers.
class GatewayNameIndex final : public cluster::ObjectIndex {
 public:
  void update(const cluster::ObjectKey& key, const nlohmann::json& gateway) override;
  void remove(const cluster::ObjectKey& key) override;

  std::optional<GatewaySummary> find(std::string_view namespace_name, std::string_view name) const;

 private:
  std::map<std::pair<std::string, std::string>, GatewaySummary> gateways_;
};

const cluster::IndexSpec& gatewaysByNameIndex();

// The Istio Gateway namespace/name; nullopt when there is none or the state has no such index.
std::optional<GatewaySummary> findGatewaySummary(const cluster::ClusterState& cluster, std::string_view namespace_name,
                                                 std::string_view name);

}  // namespace meshward::policies
