#include "webhook/cluster/kube/watched_kinds.h"

#include "webhook/cluster/cluster_state.h"

namespace meshward::cluster::kube {

const std::vector<WatchedKind>& watchedKinds() {
  static const std::vector<WatchedKind> kinds = {
      {"", "Namespace", "namespaces", "v1", false, false},
      {"", "Pod", "pods", "v1", true},
      {"", "Service", "services", "v1", true},
      {kIstioNetworkingGroup, "DestinationRule", "destinationrules", "", true},
      {kIstioNetworkingGroup, "Gateway", "gateways", "", true},
      {kIstioNetworkingGroup, "Sidecar", "sidecars", "", true},
      {kIstioNetworkingGroup, "VirtualService", "virtualservices", "", true},
      {kIstioSecurityGroup, "AuthorizationPolicy", "authorizationpolicies", "", true},
      {kIstioSecurityGroup, "PeerAuthentication", "peerauthentications", "", true},
  };
  return kinds;
}

std::string collectionPath(const WatchedKind& kind, std::string_view version) {
  if (kind.group.empty()) {
    return "/api/" + std::string(version) + "/" + std::string(kind.resource);
  }
  return "/apis/" + std::string(kind.group) + "/" + std::string(version) + "/" + std::string(kind.resource);
}

std::string apiVersionOf(const WatchedKind& kind, std::string_view version) {
  return kind.group.empty() ? std::string(version) : std::string(kind.group) + "/" + std::string(version);
}

}  // namespace meshward::cluster::kube
