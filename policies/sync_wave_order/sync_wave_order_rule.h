#pragma once
// sync-wave-order (admission face): warns when a VirtualService's Argo CD sync-wave is not later
// than the wave of a DestinationRule or Gateway it references, so that a fresh sync briefly routes
// to subsets or binds to Gateways that do not exist yet. `meshward check` replays the whole sync
// instead (webhook/cli/sync_wave_plan.h).

#include "policies/rule.h"

namespace meshward::policies {

inline constexpr std::string_view kSyncWaveOrderRuleId = "sync-wave-order";

class SyncWaveOrderRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies
