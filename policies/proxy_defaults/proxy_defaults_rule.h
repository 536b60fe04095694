#pragma once
// proxy-defaults: for pods that will run an Istio sidecar, adds holdApplicationUntilProxyStarts
// and terminationDrainDuration to the proxy.istio.io/config annotation unless the user set them.

#include "policies/rule.h"

namespace meshward::policies {

class ProxyDefaultsRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  Result<std::shared_ptr<const RuleConfig>> configure(const RuleSettings& settings) const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
