#include "policies/meshes/mesh_profile.h"

#include <algorithm>

#include "policies/meshes/consul.h"
#include "policies/meshes/istio.h"
#include "policies/meshes/linkerd.h"

namespace meshward::policies {

const std::vector<MeshProfile>& meshProfiles() {
  static const std::vector<MeshProfile> profiles = {
      {Mesh::Istio, "istio", istio::kProxyContainer, {istio::kNetworkingGroup, istio::kSecurityGroup},
       {"istio.io"}, "istio-system", istio::willRunProxy},
      {Mesh::Linkerd, "linkerd", linkerd::kProxyContainer,
       {"policy.linkerd.io", "linkerd.io"}, {"linkerd.io"}, "linkerd", linkerd::willRunProxy},
      {Mesh::Consul, "consul", consul::kProxyContainer, {"consul.hashicorp.com"}, {"consul.hashicorp.com"}, "consul",
       consul::willRunProxy},
  };
  return profiles;
}

const MeshProfile& meshProfile(Mesh mesh) { return meshProfiles().at(static_cast<std::size_t>(mesh)); }

std::vector<const MeshProfile*> proxiesOf(const PodTemplate& pod,
                                          const std::optional<cluster::NamespaceInfo>& namespace_info) {
  std::vector<const MeshProfile*> proxies;
  for (const MeshProfile& profile : meshProfiles()) {
    if (profile.will_run_proxy(pod, namespace_info)) {
      proxies.push_back(&profile);
    }
  }
  return proxies;
}

bool isProxyContainer(std::string_view container_name) {
  const std::vector<MeshProfile>& profiles = meshProfiles();
  return std::any_of(profiles.begin(), profiles.end(),
                     [&](const MeshProfile& profile) { return profile.proxy_container == container_name; });
}

}  // namespace meshward::policies
