#pragma once
// Consul's (consul-k8s connect-inject) injection keys (the rest of its profile is in mesh_profile.h).

#include <optional>
#include <string_view>

#include "policies/common/workload.h"
#include "webhook/cluster/cluster_state.h"

namespace meshward::policies::consul {

inline constexpr std::string_view kProxyContainer = "consul-dataplane";
inline constexpr std::string_view kInjectKey = "consul.hashicorp.com/connect-inject";  // "true" | "false"

// A consul-dataplane container is already there, or the pod is annotated connect-inject "true"
// (consul-k8s injects only on request by default: connectInject.default false).
bool willRunProxy(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info);

}  // namespace meshward::policies::consul
