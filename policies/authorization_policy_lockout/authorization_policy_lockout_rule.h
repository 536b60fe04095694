#pragma once
// authorization-policy-lockout: denies an AuthorizationPolicy change (create, update or delete)
// after which running workloads with an Istio sidecar reject every request: an ALLOW policy that
// allows nothing, a DENY rule that matches everything, the only ALLOW removed under a default
// deny, or an ALLOW that admits only mTLS identities its sidecar-less callers cannot present.

#include "policies/rule.h"

namespace meshward::policies {

class AuthorizationPolicyLockoutRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  Result<std::shared_ptr<const RuleConfig>> configure(const RuleSettings& settings) const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
