#include "policies/common/pod_preamble.h"

#include <algorithm>

namespace meshward::policies {

bool PodPreamble::runsProxy(Mesh mesh) const {
  return std::any_of(proxies.begin(), proxies.end(), [&](const MeshProfile* profile) { return profile->mesh == mesh; });
}

bool PodPreamble::runsAnyProxyOf(const std::vector<Mesh>& meshes) const {
  return std::any_of(meshes.begin(), meshes.end(), [&](Mesh mesh) { return runsProxy(mesh); });
}

const FieldReads& namespaceInjectionReads() {
  static const FieldReads reads{cluster::kinds::Namespace, {"/metadata/labels", "/metadata/annotations"}};
  return reads;
}

const std::vector<FieldReads>& podPreambleReads() {
  static const std::vector<FieldReads> reads = [] {
    std::vector<FieldReads> all = podTemplateReads();
    all.push_back(namespaceInjectionReads());
    return all;
  }();
  return reads;
}

std::shared_ptr<const PodPreamble> podPreamble(const RuleContext& context) {
  const auto compute = [&context] {
    PodPreamble preamble;
    preamble.pod = findPodTemplate(context.request.kind, context.object);
    if (preamble.pod) {
      preamble.namespace_info = context.cluster.findNamespace(objectNamespace(context.request, context.object));
      preamble.proxies = proxiesOf(*preamble.pod, preamble.namespace_info);
    }
    return preamble;
  };
  if (context.memo == nullptr) {
    return std::make_shared<const PodPreamble>(compute());
  }
  return context.memo->get<PodPreamble>(compute);
}

}  // namespace meshward::policies
