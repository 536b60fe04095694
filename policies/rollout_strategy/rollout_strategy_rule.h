#pragma once
// rollout-strategy: for Deployments whose pods run a mesh sidecar, fills in a rolling update
// that starts a new pod before stopping an old one (maxUnavailable 0, maxSurge 1) where the
// user left those fields unset.

#include "policies/rule.h"

namespace meshward::policies {

class RolloutStrategyRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  Result<std::shared_ptr<const RuleConfig>> configure(const RuleSettings& settings) const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
