#include "policies/meshes/consul.h"

namespace meshward::policies::consul {

bool willRunProxy(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>&) {
  if (findLongRunningContainer(pod, kProxyContainer)) {
    return true;
  }
  return pod.annotation(kInjectKey) == "true";
}

}  // namespace meshward::policies::consul
