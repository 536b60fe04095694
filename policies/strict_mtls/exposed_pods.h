#pragma once
// Which pods without an Istio sidecar a PeerAuthentication change newly puts under STRICT mTLS,
// found through the cluster state's index of sidecar-less pods: a namespace without
// workload-level policies is judged once for all its pods; only namespaces with workload-level
// policies or ambient enrolment are walked pod by pod.

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "policies/rule.h"
#include "policies/strict_mtls/effective_mtls.h"
#include "webhook/cluster/cluster_state.h"

namespace meshward::policies {

// The PeerAuthentications before and after the change; the object under review appears in
// `before` as its old version and in `after` as its new one.
struct MtlsChange {
  const MtlsPolicies& before;
  const MtlsPolicies& after;
  const PeerAuthentication* reviewed_before = nullptr;  // nullptr on CREATE
  const PeerAuthentication* reviewed_after = nullptr;   // nullptr on DELETE
};

// Traffic is newly STRICT when it is STRICT after the change and either was not before, or the
// object under review now decides it and did not before (so re-applying an unchanged policy
// passes, while a new STRICT policy over sidecar-less pods is reported even where they were
// already STRICT).
bool newlyStrict(const ModeDecision& before, const ModeDecision& after, const MtlsChange& change);

struct ExposedPods {
  std::size_t count = 0;
  // The first of them, "namespace/name", followed by " (port 8080)" when only some ports are affected.
  std::vector<std::string> names;
  std::set<std::string> strict_from;  // "namespace/name" of the policies that make them STRICT
};

// Looks in `namespaces` (in that order), leaving out the namespaces the policy ignores and pods
// enrolled in ambient mode (by their own label, or by their namespace's unless the pod opts out
// with istio.io/dataplane-mode=none).
ExposedPods findExposedPods(const cluster::ClusterState& cluster, const MeshSettings& mesh, const MtlsChange& change,
                            const std::vector<std::string>& namespaces, std::size_t max_names);

}  // namespace meshward::policies
