#pragma once
// What the pod rules (sidecar-memory, proxy-defaults, rollout-strategy) all start from: the pod
// (template) of the object under review, its namespace, and the meshes whose proxy it runs or
// will run once injected. Worked out once per request and shared through the request's memo.

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "policies/common/workload.h"
#include "policies/meshes/mesh.h"
#include "policies/meshes/mesh_profile.h"
#include "policies/rule.h"
#include "webhook/cluster/cluster_state.h"

namespace meshward::policies {

struct PodPreamble {
  std::optional<PodTemplate> pod;  // nullopt: the object carries no pod (template)
  std::optional<cluster::NamespaceInfo> namespace_info;
  std::vector<const MeshProfile*> proxies;  // in Mesh order

  bool runsProxy(Mesh mesh) const;
  bool runsAnyProxyOf(const std::vector<Mesh>& meshes) const;
};

// The preamble of context.object (of kind context.request.kind), from the memo when a rule has
// already worked it out for this request.
std::shared_ptr<const PodPreamble> podPreamble(const RuleContext& context);

// What the preamble reads of a Namespace (its injection labels and annotations).
const FieldReads& namespaceInjectionReads();
// What the preamble reads in all: the pod (template) of every pod kind and the namespace.
const std::vector<FieldReads>& podPreambleReads();

}  // namespace meshward::policies
