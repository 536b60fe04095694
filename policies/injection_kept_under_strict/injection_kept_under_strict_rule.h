#pragma once
// injection-kept-under-strict: denies a Namespace update that stops Istio's sidecar injection there
// (istio-injection removed or disabled, istio.io/rev dropped or moved to a revision without an
// injector) while STRICT mTLS or AuthorizationPolicies cover its pods with a sidecar: their next
// rollout creates pods without one. Warns when nothing there depends on the sidecar.

#include "policies/rule.h"

namespace meshward::policies {

class InjectionKeptUnderStrictRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  Result<std::shared_ptr<const RuleConfig>> configure(const RuleSettings& settings) const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
