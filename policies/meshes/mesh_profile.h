#pragma once
// What meshward knows about each service mesh, in one table: the proxy container the injector
// adds, the annotation and label keys that ask for (or refuse) injection, the API groups of its
// CRDs, its root namespace, and the predicate that says whether a pod (template) will run its
// proxy. Rules name the mesh they concern (RuleMetadata::meshes) and read its facts from here.

#include <optional>
#include <string_view>
#include <vector>

#include "policies/common/workload.h"
#include "policies/meshes/mesh.h"
#include "webhook/cluster/cluster_state.h"

namespace meshward::policies {

struct MeshProfile {
  Mesh mesh;
  std::string_view name;             // "istio": how policies, `meshward rules` and metrics name it
  std::string_view proxy_container;  // the container the injector adds
  std::vector<std::string_view> crd_groups;
  std::vector<std::string_view> annotation_domains;  // "istio.io": annotations under it and its subdomains
  std::string_view default_root_namespace;           // where mesh-wide configuration lives
  // Whether `pod` runs (or, once injected, will run) this mesh's proxy: the container is there,
  // or the pod and its namespace ask the injector for it. An unknown namespace (nullopt) injects
  // nothing by itself.
  bool (*will_run_proxy)(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info);
};

// Every mesh, in Mesh order.
const std::vector<MeshProfile>& meshProfiles();
const MeshProfile& meshProfile(Mesh mesh);

// The meshes whose proxy `pod` runs or will run, in Mesh order.
std::vector<const MeshProfile*> proxiesOf(const PodTemplate& pod,
                                          const std::optional<cluster::NamespaceInfo>& namespace_info);

// Whether `container_name` is the proxy container of any mesh.
bool isProxyContainer(std::string_view container_name);

}  // namespace meshward::policies
