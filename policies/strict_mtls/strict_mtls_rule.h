#pragma once
// strict-mtls-needs-sidecars: denies a PeerAuthentication change (create, update or delete)
// after which mTLS is STRICT for running pods that have no Istio sidecar, including the changes
// that do not look like "set STRICT": removing or relaxing a PERMISSIVE shield, widening a
// selector, STRICT on one port.

#include "policies/rule.h"

namespace meshward::policies {

class StrictMtlsRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  Result<std::shared_ptr<const RuleConfig>> configure(const RuleSettings& settings) const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
