#include "policies/indexes/authorization_policies.h"

#include "policies/meshes/istio.h"

namespace meshward::policies {

void AuthorizationPolicyIndex::update(const cluster::ObjectKey& key, const nlohmann::json& policy) {
  auto policies = by_namespace_.find(key.namespace_name);
  if (policies == by_namespace_.end()) {
    policies = by_namespace_.emplace(key.namespace_name, std::map<std::string, AuthorizationPolicy, std::less<>>()).first;
  }
  policies->second.insert_or_assign(key.name, parseAuthorizationPolicy(key.namespace_name, key.name, policy));
}

void AuthorizationPolicyIndex::remove(const cluster::ObjectKey& key) {
  const auto policies = by_namespace_.find(key.namespace_name);
  if (policies == by_namespace_.end()) {
    return;
  }
  policies->second.erase(key.name);
  if (policies->second.empty()) {
    by_namespace_.erase(policies);
  }
}

std::vector<AuthorizationPolicy> AuthorizationPolicyIndex::in(std::string_view namespace_name) const {
  std::vector<AuthorizationPolicy> copies;
  const auto policies = by_namespace_.find(namespace_name);
  if (policies == by_namespace_.end()) {
    return copies;
  }
  copies.reserve(policies->second.size());
  for (const auto& [name, policy] : policies->second) {
    copies.push_back(policy);
  }
  return copies;
}

const cluster::IndexSpec& authorizationPoliciesIndex() {
  // What parseAuthorizationPolicy reads.
  static const cluster::SingleKindIndexSpec<AuthorizationPolicyIndex> spec(
      "authorization-policies", istio::AuthorizationPolicy,
      {"/metadata/annotations/istio.io~1dry-run", "/spec/action", "/spec/selector", "/spec/targetRef",
       "/spec/targetRefs", "/spec/rules"});
  return spec;
}

std::vector<AuthorizationPolicy> authorizationPoliciesIn(const cluster::ClusterState& cluster,
                                                         std::string_view namespace_name) {
  return cluster::queryIndex<AuthorizationPolicyIndex>(
      cluster, authorizationPoliciesIndex(),
      [&](const AuthorizationPolicyIndex& index) { return index.in(namespace_name); });
}

}  // namespace meshward::policies
