#include "policies/meshes/istio.h"

#include "policies/meshes/injection_keys.h"

namespace meshward::policies::istio {

bool willRunProxy(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info) {
  if (findLongRunningContainer(pod, kProxyContainer)) {
    return true;
  }
  std::optional<std::string_view> namespace_injection;
  bool namespace_has_revision = false;
  if (namespace_info) {
    namespace_injection = valueOf(namespace_info->labels, kInjectionNamespaceLabel);
    namespace_has_revision = valueOf(namespace_info->labels, kRevisionLabel).has_value();
  }
  if (namespace_injection == "disabled") {
    return false;
  }
  std::optional<std::string_view> pod_choice = pod.label(kInjectKey);
  if (!pod_choice) {
    pod_choice = pod.annotation(kInjectKey);
  }
  if (pod_choice == "false") {
    return false;
  }
  if (pod_choice == "true" || pod.label(kRevisionLabel)) {
    return true;
  }
  return namespace_injection == "enabled" || namespace_has_revision;
}

bool inMesh(const std::optional<cluster::NamespaceInfo>& namespace_info) {
  if (!namespace_info) {
    return false;
  }
  const std::optional<std::string_view> injection = valueOf(namespace_info->labels, kInjectionNamespaceLabel);
  return injection != "disabled" &&
         (injection == "enabled" || valueOf(namespace_info->labels, kRevisionLabel).has_value() ||
          valueOf(namespace_info->labels, kDataplaneModeLabel) == kAmbientDataplaneMode);
}

}  // namespace meshward::policies::istio
