#pragma once
// Linkerd's injection keys (the rest of its profile is in mesh_profile.h).

#include <optional>
#include <string_view>

#include "policies/common/workload.h"
#include "webhook/cluster/cluster_state.h"

namespace meshward::policies::linkerd {

inline constexpr std::string_view kProxyContainer = "linkerd-proxy";
inline constexpr std::string_view kInjectKey = "linkerd.io/inject";  // enabled | ingress | disabled

// A linkerd-proxy container is already there; or the pod is not annotated
// linkerd.io/inject=disabled and the pod, or else its namespace (annotation or label), says
// linkerd.io/inject=enabled (or ingress).
bool willRunProxy(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info);

}  // namespace meshward::policies::linkerd
