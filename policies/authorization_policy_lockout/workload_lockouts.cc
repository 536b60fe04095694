#include "policies/authorization_policy_lockout/workload_lockouts.h"

#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "policies/indexes/authorization_policies.h"
#include "policies/indexes/pods_without_sidecar.h"
#include "policies/meshes/istio.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kTrustDomain = "cluster.local";

enum class Outcome { None, DeniedEverything, AllowedNothing, LastAllowRemoved, IdentityOnly };

bool mayApplyOutside(const AuthorizationPolicy* policy, std::string_view root_namespace) {
  return policy != nullptr && policy->namespace_name == root_namespace && !policy->has_target_refs;
}

bool ambientNamespace(const cluster::ClusterState& cluster, std::string_view namespace_name) {
  const std::optional<cluster::NamespaceInfo> info = cluster.findNamespace(namespace_name);
  if (!info) {
    return false;
  }
  const auto mode = info->labels.find(istio::kDataplaneModeLabel);
  return mode != info->labels.end() && mode->second == istio::kAmbientDataplaneMode;
}

// A principal pattern against a pod's SPIFFE identity "<trust domain>/ns/<ns>/sa/<account>"; any
// trust domain the pattern names counts as this mesh's (Istio's trust domain aliases).
bool principalMatches(std::string_view pattern, std::string_view namespace_name, std::string_view account) {
  const std::string tail = "/ns/" + std::string(namespace_name) + "/sa/" + std::string(account);
  if (pattern.starts_with('*')) {
    return matchesIstioPattern(pattern, std::string(kTrustDomain) + tail);
  }
  const std::size_t path = pattern.find("/ns/");
  return path != std::string_view::npos && matchesIstioPattern(pattern.substr(path), tail);
}

// The pods without a sidecar that the policy's identity sources name: they have no principal to
// present.
PodList callersWithoutIdentity(const cluster::ClusterState& cluster, const MeshSettings& mesh,
                               const AuthorizationPolicy& policy, std::size_t max_names) {
  PodList callers;
  for (const std::string& namespace_name : namespacesWithPodsWithoutSidecar(cluster)) {
    if (mesh.isIgnoredNamespace(namespace_name) || ambientNamespace(cluster, namespace_name)) {
      continue;
    }
    const bool whole_namespace =
        std::any_of(policy.source_namespaces.begin(), policy.source_namespaces.end(),
                    [&](const std::string& pattern) { return matchesIstioPattern(pattern, namespace_name); });
    if (!whole_namespace && policy.principals.empty()) {
      continue;
    }
    for (const PodWithoutSidecar& pod : podsWithoutSidecarIn(cluster, namespace_name)) {
      const bool named = whole_namespace ||
                         std::any_of(policy.principals.begin(), policy.principals.end(), [&](const std::string& pattern) {
                           return principalMatches(pattern, namespace_name, pod.service_account);
                         });
      if (named) {
        callers.add(namespace_name + "/" + pod.name, max_names);
      }
    }
  }
  return callers;
}

class Judge {
 public:
  Judge(std::string_view root_namespace, const AuthorizationChange& change) : root_(root_namespace), change_(change) {}

  // What the change does to one pod; `others` are the other policies of its namespace and the root namespace.
  Outcome judge(const std::vector<AuthorizationPolicy>& others, std::string_view namespace_name,
                const cluster::Labels& labels) {
    WorkloadAccess before;
    WorkloadAccess after;
    for (const AuthorizationPolicy& policy : others) {
      if (policy.appliesTo(root_, namespace_name, labels)) {
        before.add(policy);
        after.add(policy);
      }
    }
    if (applies(change_.before, namespace_name, labels)) {
      before.add(*change_.before);
    }
    const bool after_applies = applies(change_.after, namespace_name, labels);
    if (after_applies) {
      after.add(*change_.after);
    }
    if (after.lockedOut() && !before.lockedOut()) {
      if (after_applies && change_.after->enforced() && change_.after->deniesEverything()) {
        return Outcome::DeniedEverything;
      }
      if (after_applies && change_.after->enforced() && change_.after->allowsNothing()) {
        return Outcome::AllowedNothing;
      }
      if (after.allow_nothing != nullptr && default_deny_.empty()) {
        default_deny_ = after.allow_nothing->key();
      }
      return Outcome::LastAllowRemoved;
    }
    if (after_applies && change_.after->enforced() && change_.after->admitsOnlyIdentities() &&
        !after.admitsCallersWithoutIdentity() && before.admitsCallersWithoutIdentity()) {
      return Outcome::IdentityOnly;
    }
    return Outcome::None;
  }

  std::string defaultDeny() const { return default_deny_; }

 private:
  bool applies(const AuthorizationPolicy* policy, std::string_view namespace_name, const cluster::Labels& labels) const {
    return policy != nullptr && policy->appliesTo(root_, namespace_name, labels);
  }

  std::string_view root_;
  const AuthorizationChange& change_;
  std::string default_deny_;
};

PodList* listFor(WorkloadLockouts& lockouts, Outcome outcome) {
  switch (outcome) {
    case Outcome::DeniedEverything:
      return &lockouts.denied_everything;
    case Outcome::AllowedNothing:
      return &lockouts.allowed_nothing;
    case Outcome::LastAllowRemoved:
      return &lockouts.last_allow_removed;
    case Outcome::IdentityOnly:
      return &lockouts.identity_only;
    case Outcome::None:
      break;
  }
  return nullptr;
}

// The other policies that may apply to the pods of a namespace.
std::vector<AuthorizationPolicy> otherPolicies(const cluster::ClusterState& cluster, std::string_view root_namespace,
                                               const std::vector<AuthorizationPolicy>& root_policies,
                                               std::string_view namespace_name, const std::string& reviewed_key) {
  std::vector<AuthorizationPolicy> others;
  for (const AuthorizationPolicy& policy : root_policies) {
    if (policy.key() != reviewed_key && !(policy.has_target_refs && namespace_name != root_namespace)) {
      others.push_back(policy);
    }
  }
  if (namespace_name != root_namespace) {
    for (AuthorizationPolicy& policy : authorizationPoliciesIn(cluster, namespace_name)) {
      if (policy.key() != reviewed_key) {
        others.push_back(std::move(policy));
      }
    }
  }
  return others;
}

bool selectsWorkloads(const std::vector<AuthorizationPolicy>& others, const AuthorizationChange& change) {
  return std::any_of(others.begin(), others.end(),
                     [](const AuthorizationPolicy& policy) { return policy.selectsWorkloads(); }) ||
         (change.before != nullptr && change.before->selectsWorkloads()) ||
         (change.after != nullptr && change.after->selectsWorkloads());
}

}  // namespace

void PodList::add(std::string name, std::size_t max_names) {
  ++count;
  if (names.size() < max_names) {
    names.push_back(std::move(name));
  }
}

WorkloadLockouts findWorkloadLockouts(const cluster::ClusterState& cluster, const MeshSettings& mesh,
                                      const AuthorizationChange& change, std::size_t max_names) {
  WorkloadLockouts lockouts;
  const AuthorizationPolicy& reviewed = change.after != nullptr ? *change.after : *change.before;
  const std::string reviewed_key = reviewed.key();
  const std::string& root = mesh.root_namespace;
  const std::vector<std::string> namespaces =
      mayApplyOutside(change.before, root) || mayApplyOutside(change.after, root)
          ? namespacesWithPodsWithSidecar(cluster)
          : std::vector<std::string>{reviewed.namespace_name};
  const std::vector<AuthorizationPolicy> root_policies = authorizationPoliciesIn(cluster, root);
  Judge judge(root, change);
  for (const std::string& namespace_name : namespaces) {
    if (mesh.isIgnoredNamespace(namespace_name)) {
      continue;
    }
    const std::vector<PodSummary> pods = podsWithSidecarIn(cluster, namespace_name);
    if (pods.empty()) {
      continue;
    }
    const std::vector<AuthorizationPolicy> others =
        otherPolicies(cluster, root, root_policies, namespace_name, reviewed_key);
    if (!selectsWorkloads(others, change)) {
      PodList* list = listFor(lockouts, judge.judge(others, namespace_name, {}));
      for (std::size_t i = 0; list != nullptr && i < pods.size(); ++i) {
        list->add(namespace_name + "/" + pods[i].name, max_names);
      }
      continue;
    }
    // Pods of one workload share their labels, and so their judgement.
    std::map<cluster::Labels, Outcome> judged;
    for (const PodSummary& pod : pods) {
      auto outcome = judged.find(pod.labels);
      if (outcome == judged.end()) {
        outcome = judged.emplace(pod.labels, judge.judge(others, namespace_name, pod.labels)).first;
      }
      if (PodList* list = listFor(lockouts, outcome->second)) {
        list->add(namespace_name + "/" + pod.name, max_names);
      }
    }
  }
  lockouts.default_deny = judge.defaultDeny();
  if (lockouts.identity_only.count > 0) {
    lockouts.callers_without_identity = callersWithoutIdentity(cluster, mesh, *change.after, max_names);
    if (lockouts.callers_without_identity.count == 0) {
      lockouts.identity_only = PodList();
    }
  }
  return lockouts;
}

}  // namespace meshward::policies
