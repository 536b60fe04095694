#pragma once
// Whether a pod (template) will run an Istio or a Linkerd sidecar, judged from its own
// containers, labels and annotations and from its namespace's injection labels.

#include <optional>
#include <string_view>

#include "policies/common/workload.h"
#include "webhook/cluster/cluster_state.h"

namespace meshward::policies {

inline constexpr std::string_view kIstioProxyContainer = "istio-proxy";
inline constexpr std::string_view kLinkerdProxyContainer = "linkerd-proxy";
inline constexpr std::string_view kIstioInjectKey = "sidecar.istio.io/inject";
inline constexpr std::string_view kIstioInjectionNamespaceLabel = "istio-injection";
inline constexpr std::string_view kIstioRevisionLabel = "istio.io/rev";
inline constexpr std::string_view kLinkerdInjectKey = "linkerd.io/inject";

// Istio: an istio-proxy container is already there (a regular container, or a native sidecar
// init container); or the namespace is not labelled istio-injection=disabled and either the
// pod asks with sidecar.istio.io/inject="true" (label, else annotation) or an istio.io/rev
// label, or the namespace has istio-injection=enabled or an istio.io/rev label and the pod
// does not opt out with sidecar.istio.io/inject="false". An unknown namespace (nullopt)
// injects nothing by itself.
bool willRunIstioSidecar(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info);

// Linkerd: a linkerd-proxy container is already there; or the pod is not annotated
// linkerd.io/inject=disabled and the pod, or else its namespace (annotation or label), says
// linkerd.io/inject=enabled (or ingress).
bool willRunLinkerdSidecar(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info);

struct SidecarInjection {
  bool istio = false;
  bool linkerd = false;

  bool any() const { return istio || linkerd; }
};

SidecarInjection detectSidecars(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info);

}  // namespace meshward::policies
