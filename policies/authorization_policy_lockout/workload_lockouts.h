#pragma once
// Which workloads an AuthorizationPolicy change locks out, judged pod by pod (or once for a
// namespace where no policy selects workloads) from what the ALLOW and DENY policies that apply
// to each pod let through before and after the change.

#include <cstddef>
#include <string>
#include <vector>

#include "policies/common/authorization_policy.h"
#include "policies/rule.h"

namespace meshward::policies {

// The reviewed policy's two versions; nullptr on CREATE (before) and DELETE (after).
struct AuthorizationChange {
  const AuthorizationPolicy* before = nullptr;
  const AuthorizationPolicy* after = nullptr;
};

struct PodList {
  std::size_t count = 0;
  std::vector<std::string> names;  // "namespace/name", the first of them

  void add(std::string name, std::size_t max_names);
};

struct WorkloadLockouts {
  PodList denied_everything;    // a DENY rule of the reviewed policy matches every request
  PodList allowed_nothing;      // the reviewed ALLOW policy has no rules and nothing else admits
  PodList last_allow_removed;   // the reviewed policy no longer admits them, and another ALLOW allows nothing
  std::string default_deny;     // "namespace/name" of that ALLOW policy with no rules
  PodList identity_only;        // the reviewed ALLOW newly admits only callers with an mTLS identity
  PodList callers_without_identity;  // its sidecar-less callers: they cannot present one
};

WorkloadLockouts findWorkloadLockouts(const cluster::ClusterState& cluster, const MeshSettings& mesh,
                                      const AuthorizationChange& change, std::size_t max_names);

}  // namespace meshward::policies
