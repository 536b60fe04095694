#pragma once
// sidecar-memory: denies pods (and workload templates) whose Istio or Linkerd sidecar would get
// less memory than the policy minimum, and warns about application containers next to a
// sidecar that have no memory limit.

#include "policies/rule.h"

namespace meshward::policies {

class SidecarMemoryRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  Result<std::shared_ptr<const RuleConfig>> configure(const RuleSettings& settings) const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
