#pragma once
// referenced-gateway-removal: denies deleting a Gateway while VirtualServices still bind to it
// through spec.gateways.

#include "policies/rule.h"

namespace meshward::policies {

class ReferencedGatewayRemovalRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
