#pragma once
// revision-exists: denies a Namespace, Pod or workload whose istio.io/rev names a control-plane
// revision or revision tag that no sidecar-injector webhook serves (a typo, a revision already
// removed): its pods would start without a sidecar, or not at all.

#include "policies/rule.h"

namespace meshward::policies {

class RevisionExistsRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
