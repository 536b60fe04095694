#include "webhook/cluster/cluster_state.h"

namespace meshward::cluster {
namespace {

constexpr std::string_view kMeshGateway = "mesh";

}  // namespace

bool ClusterState::tracksKind(std::string_view, std::string_view) const { return false; }

std::shared_ptr<const nlohmann::json> ClusterState::findObject(std::string_view, std::string_view, std::string_view,
                                                               std::string_view) const {
  return nullptr;
}

void ClusterState::forEachObject(std::string_view, std::string_view, const ObjectVisitor&) const {}

void ClusterState::forEachObjectInNamespace(std::string_view, std::string_view, std::string_view,
                                            const ObjectVisitor&) const {}

PodsWithoutSidecar ClusterState::podsWithoutSidecar(std::string_view, std::size_t) const { return {}; }

std::vector<std::string> ClusterState::namespacesWithPodsWithoutSidecar() const { return {}; }

void ClusterState::forEachPodWithoutSidecar(std::string_view, const PodWithoutSidecarVisitor&) const {}

std::vector<DestinationRuleSubsets> ClusterState::destinationRulesForHost(std::string_view) const { return {}; }

std::vector<VirtualServiceRoute> ClusterState::virtualServicesRoutingTo(std::string_view) const { return {}; }

std::vector<ObjectKey> ClusterState::virtualServicesBoundToGateway(std::string_view, std::string_view) const {
  return {};
}

std::shared_ptr<const nlohmann::json> ClusterState::findGateway(std::string_view reference,
                                                                std::string_view virtual_service_namespace) const {
  if (reference.empty() || reference == kMeshGateway) {
    return nullptr;
  }
  const std::size_t slash = reference.find('/');
  if (slash == std::string_view::npos) {
    return findObject(kIstioNetworkingGroup, "Gateway", virtual_service_namespace, reference);
  }
  return findObject(kIstioNetworkingGroup, "Gateway", reference.substr(0, slash), reference.substr(slash + 1));
}

}  // namespace meshward::cluster
