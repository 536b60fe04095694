#pragma once
// Istio's kinds and the labels and annotations meshward reads (the rest of its profile is in
// mesh_profile.h).

#include <optional>
#include <string_view>

#include "policies/common/workload.h"
#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/kinds.h"

namespace meshward::policies::istio {

inline constexpr std::string_view kNetworkingGroup = "networking.istio.io";
inline constexpr std::string_view kSecurityGroup = "security.istio.io";

inline constexpr cluster::KindInfo DestinationRule{kNetworkingGroup, "DestinationRule", "destinationrules", ""};
inline constexpr cluster::KindInfo Gateway{kNetworkingGroup, "Gateway", "gateways", ""};
inline constexpr cluster::KindInfo Sidecar{kNetworkingGroup, "Sidecar", "sidecars", ""};
inline constexpr cluster::KindInfo VirtualService{kNetworkingGroup, "VirtualService", "virtualservices", ""};
inline constexpr cluster::KindInfo AuthorizationPolicy{kSecurityGroup, "AuthorizationPolicy", "authorizationpolicies", ""};
inline constexpr cluster::KindInfo PeerAuthentication{kSecurityGroup, "PeerAuthentication", "peerauthentications", ""};

inline constexpr std::string_view kProxyContainer = "istio-proxy";
inline constexpr std::string_view kInjectKey = "sidecar.istio.io/inject";            // label, else annotation
inline constexpr std::string_view kInjectionNamespaceLabel = "istio-injection";      // enabled | disabled
inline constexpr std::string_view kRevisionLabel = "istio.io/rev";
// Enrols a pod or a namespace in ambient mode ("ambient") or opts a pod out ("none").
inline constexpr std::string_view kDataplaneModeLabel = "istio.io/dataplane-mode";
inline constexpr std::string_view kAmbientDataplaneMode = "ambient";

// An istio-proxy container is already there (a regular container, or a native sidecar init
// container); or the namespace is not labelled istio-injection=disabled and either the pod asks
// with sidecar.istio.io/inject="true" (label, else annotation) or an istio.io/rev label, or the
// namespace has istio-injection=enabled or an istio.io/rev label and the pod does not opt out
// with sidecar.istio.io/inject="false".
bool willRunProxy(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info);

// The namespace puts its pods in the mesh: istio-injection=enabled, an istio.io/rev label or
// istio.io/dataplane-mode=ambient, and not istio-injection=disabled. An unknown namespace is not.
bool inMesh(const std::optional<cluster::NamespaceInfo>& namespace_info);

}  // namespace meshward::policies::istio
