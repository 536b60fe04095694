#include "policies/meshes/linkerd.h"

#include "policies/meshes/injection_keys.h"

namespace meshward::policies::linkerd {
namespace {

bool injects(std::optional<std::string_view> value) { return value == "enabled" || value == "ingress"; }

}  // namespace

bool willRunProxy(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info) {
  if (findLongRunningContainer(pod, kProxyContainer)) {
    return true;
  }
  const std::optional<std::string_view> pod_choice = pod.annotation(kInjectKey);
  if (pod_choice == "disabled") {
    return false;
  }
  if (injects(pod_choice)) {
    return true;
  }
  if (!namespace_info) {
    return false;
  }
  std::optional<std::string_view> namespace_choice = valueOf(namespace_info->annotations, kInjectKey);
  if (!namespace_choice) {
    namespace_choice = valueOf(namespace_info->labels, kInjectKey);
  }
  return injects(namespace_choice);
}

}  // namespace meshward::policies::linkerd
