#pragma once
// virtualservice-subset-exists: denies VirtualServices that route or mirror to a subset no
// DestinationRule visible from their namespace defines (Envoy would answer 503 for that traffic).

#include "policies/rule.h"

namespace meshward::policies {

class VirtualServiceSubsetExistsRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
