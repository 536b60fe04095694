#include "policies/indexes/gateways_by_name.h"

#include "policies/meshes/istio.h"
#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kSyncWaveAnnotation = "argocd.argoproj.io/sync-wave";

}  // namespace

void GatewayNameIndex::update(const cluster::ObjectKey& key, const nlohmann::json& gateway) {
  GatewaySummary summary;
  const nlohmann::json* annotations = objectMember(objectMember(&gateway, "metadata"), "annotations");
  if (const std::optional<std::string_view> wave = stringMember(annotations, kSyncWaveAnnotation)) {
    summary.sync_wave = std::string(*wave);
  }
  gateways_.insert_or_assign(std::make_pair(key.namespace_name, key.name), std::move(summary));
}

void GatewayNameIndex::remove(const cluster::ObjectKey& key) {
  gateways_.erase(std::make_pair(key.namespace_name, key.name));
}

std::optional<GatewaySummary> GatewayNameIndex::find(std::string_view namespace_name, std::string_view name) const {
  const auto found = gateways_.find(std::make_pair(std::string(namespace_name), std::string(name)));
  if (found == gateways_.end()) {
    return std::nullopt;
  }
  return found->second;
}

const cluster::IndexSpec& gatewaysByNameIndex() {
  static const cluster::SingleKindIndexSpec<GatewayNameIndex> spec(
      "gateways-by-name", istio::Gateway, {"/metadata/annotations/argocd.argoproj.io~1sync-wave"});
  return spec;
}

std::optional<GatewaySummary> findGatewaySummary(const cluster::ClusterState& cluster, std::string_view namespace_name,
                                                 std::string_view name) {
  return cluster::queryIndex<GatewayNameIndex>(
      cluster, gatewaysByNameIndex(), [&](const GatewayNameIndex& index) { return index.find(namespace_name, name); });
}

}  // namespace meshward::policies
