#pragma once
// Index "authorization-policies": every Istio AuthorizationPolicy, read once as it changes, by
// namespace, so a rule resolving which policies apply to a workload never decodes a cached one.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "policies/common/authorization_policy.h"
#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/index.h"

namespace meshward::policies {

// Not thread-safe: the owner serialises writers against readers.
class AuthorizationPolicyIndex final : public cluster::ObjectIndex {
 public:
  void update(const cluster::ObjectKey& key, const nlohmann::json& policy) override;
  void remove(const cluster::ObjectKey& key) override;

  // The policies of a namespace, in name order (copies).
  std::vector<AuthorizationPolicy> in(std::string_view namespace_name) const;

 private:
  std::map<std::string, std::map<std::string, AuthorizationPolicy, std::less<>>, std::less<>> by_namespace_;
};

const cluster::IndexSpec& authorizationPoliciesIndex();

// The policies of a namespace; nothing when the state keeps no such index.
std::vector<AuthorizationPolicy> authorizationPoliciesIn(const cluster::ClusterState& cluster,
                                                         std::string_view namespace_name);

}  // namespace meshward::policies
