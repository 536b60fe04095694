#pragma once
// change-governance (off by default): high-risk mesh changes (change_category.h) are admitted only
// for the owners of their category and only inside the policy's maintenance windows; outside a
// window or by a non-owner they are denied, saying who may make them and when the next window
// opens. Break-glass overrides it, as every deny, and is audited.

#include "policies/rule.h"

namespace meshward::policies {

class ChangeGovernanceRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  Result<std::shared_ptr<const RuleConfig>> configure(const RuleSettings& settings) const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
