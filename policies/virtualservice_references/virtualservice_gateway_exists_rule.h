#pragma once
// virtualservice-gateway-exists: denies VirtualServices that bind to a Gateway that does not
// exist (their routes would be served by no gateway).

#include "policies/rule.h"

namespace meshward::policies {

class VirtualServiceGatewayExistsRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
