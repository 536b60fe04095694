#pragma once
// service-port-protocol: warns about a Service in an Istio mesh namespace whose port 443 is named
// for plaintext HTTP, or whose appProtocol contradicts its port name: Istio picks the protocol
// from them, and the wrong one breaks the traffic (istio/istio#14520).

#include "policies/rule.h"

namespace meshward::policies {

class ServicePortProtocolRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
