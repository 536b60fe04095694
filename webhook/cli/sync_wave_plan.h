#pragma once
// sync-wave-order in `meshward check`: replays an Argo CD sync of the checked objects, in Argo CD's
// apply order, over the live objects (--cluster-state), and reports every VirtualService applied
// before a DestinationRule or Gateway it needs (MW0701) and every DestinationRule change applied
// before the VirtualService change that stops using what it takes away (MW0702). It stands in for
// the rule's per-object admission face, which `check` does not run.

#include <cstddef>
#include <vector>

#include "policies/finding.h"
#include "policies/policy.h"
#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/manifest_loader.h"

namespace meshward::cli {

struct PlannedFinding {
  std::size_t manifest = 0;  // index of the checked manifest the finding is about
  policies::Finding finding;
};

// `checked`: the objects of the sync. `live`: the cluster before it (the --cluster-state objects);
// `synced`: the cluster after it (live objects replaced and joined by the checked ones). Objects
// that are live but not checked stay as they are: the sync prunes nothing. Findings carry the
// policy's action for sync-wave-order (there are none when it is off), leave out objects in the
// namespaces the policy ignores, and come in manifest order.
std::vector<PlannedFinding> planSyncWaves(const std::vector<cluster::Manifest>& checked,
                                          const cluster::ClusterState& live, const cluster::ClusterState& synced,
                                          const policies::Policy& policy);

}  // namespace meshward::cli
