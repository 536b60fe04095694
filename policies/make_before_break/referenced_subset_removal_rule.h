#pragma once
// referenced-subset-removal: denies a DestinationRule update or deletion that takes a subset
// away from VirtualServices still routing to it (subset removed, host changed, exportTo
// narrowed, rule deleted) when no other DestinationRule they can see defines it.

#include "policies/rule.h"

namespace meshward::policies {

class ReferencedSubsetRemovalRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
