#include "policies/common/sidecar_injection.h"

namespace meshward::policies {
namespace {

std::optional<std::string_view> find(const std::map<std::string, std::string, std::less<>>& values,
                                     std::string_view key) {
  const auto found = values.find(key);
  if (found == values.end()) {
    return std::nullopt;
  }
  return std::string_view(found->second);
}

bool linkerdInjects(std::optional<std::string_view> value) { return value == "enabled" || value == "ingress"; }

}  // namespace

bool willRunIstioSidecar(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info) {
  if (findLongRunningContainer(pod, kIstioProxyContainer)) {
    return true;
  }
  std::optional<std::string_view> namespace_injection;
  bool namespace_has_revision = false;
  if (namespace_info) {
    namespace_injection = find(namespace_info->labels, kIstioInjectionNamespaceLabel);
    namespace_has_revision = find(namespace_info->labels, kIstioRevisionLabel).has_value();
  }
  if (namespace_injection == "disabled") {
    return false;
  }
  std::optional<std::string_view> pod_choice = pod.label(kIstioInjectKey);
  if (!pod_choice) {
    pod_choice = pod.annotation(kIstioInjectKey);
  }
  if (pod_choice == "false") {
    return false;
  }
  if (pod_choice == "true" || pod.label(kIstioRevisionLabel)) {
    return true;
  }
  return namespace_injection == "enabled" || namespace_has_revision;
}

bool willRunLinkerdSidecar(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info) {
  if (findLongRunningContainer(pod, kLinkerdProxyContainer)) {
    return true;
  }
  const std::optional<std::string_view> pod_choice = pod.annotation(kLinkerdInjectKey);
  if (pod_choice == "disabled") {
    return false;
  }
  if (linkerdInjects(pod_choice)) {
    return true;
  }
  if (!namespace_info) {
    return false;
  }
  std::optional<std::string_view> namespace_choice = find(namespace_info->annotations, kLinkerdInjectKey);
  if (!namespace_choice) {
    namespace_choice = find(namespace_info->labels, kLinkerdInjectKey);
  }
  return linkerdInjects(namespace_choice);
}

SidecarInjection detectSidecars(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info) {
  return SidecarInjection{willRunIstioSidecar(pod, namespace_info), willRunLinkerdSidecar(pod, namespace_info)};
}

}  // namespace meshward::policies
