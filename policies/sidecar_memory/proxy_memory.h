#pragma once
// How much memory a pod's sidecar proxy will get and where that number comes from: the proxy
// container's resources, the mesh's pod (or namespace) annotations, or the mesh defaults the
// policy declares for pods that set nothing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policies/common/workload.h"
#include "webhook/cluster/cluster_state.h"

namespace meshward::policies {

enum class MemoryOrigin { ProxyContainer, PodAnnotation, NamespaceAnnotation, MeshDefault, Nowhere };

struct MemorySetting {
  std::optional<std::int64_t> bytes;  // nullopt when unset or invalid
  bool invalid = false;               // written but not a quantity (reported separately)
  MemoryOrigin origin = MemoryOrigin::Nowhere;
  std::string location;  // e.g. "annotation sidecar.istio.io/proxyMemoryLimit"
};

struct InvalidMemoryValue {
  std::string location;
  std::string value;  // as written
};

struct ProxyMemory {
  std::string_view container;           // "istio-proxy" or "linkerd-proxy"
  std::string_view request_annotation;  // the pod annotation that sets the request
  std::string_view limit_annotation;    // the pod annotation that sets the limit
  MemorySetting request;
  MemorySetting limit;
  std::vector<InvalidMemoryValue> invalid;
};

// What the mesh gives a proxy when nothing on the pod says otherwise (nullopt: unset).
struct MeshMemoryDefaults {
  std::optional<std::int64_t> request_bytes;
  std::optional<std::int64_t> limit_bytes;
  std::string_view request_parameter;  // the policy parameter names, for messages
  std::string_view limit_parameter;
};

inline constexpr std::string_view kIstioProxyMemoryAnnotation = "sidecar.istio.io/proxyMemory";
inline constexpr std::string_view kIstioProxyMemoryLimitAnnotation = "sidecar.istio.io/proxyMemoryLimit";
inline constexpr std::string_view kIstioProxyCpuAnnotation = "sidecar.istio.io/proxyCPU";
inline constexpr std::string_view kIstioProxyCpuLimitAnnotation = "sidecar.istio.io/proxyCPULimit";
inline constexpr std::string_view kLinkerdProxyMemoryRequestAnnotation = "config.linkerd.io/proxy-memory-request";
inline constexpr std::string_view kLinkerdProxyMemoryLimitAnnotation = "config.linkerd.io/proxy-memory-limit";

// The proxy container's memory when it sets any; else, as Istio's injection template does,
// only the four sidecar.istio.io/proxy{CPU,Memory,CPULimit,MemoryLimit} annotations when any of
// them is present (a missing one stays unset); else the mesh defaults.
ProxyMemory istioProxyMemory(const PodTemplate& pod, const MeshMemoryDefaults& defaults);

// The proxy container's memory when it sets any; else, each value on its own, the pod's
// config.linkerd.io annotation, the namespace's, then the mesh default.
ProxyMemory linkerdProxyMemory(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info,
                               const MeshMemoryDefaults& defaults);

}  // namespace meshward::policies
