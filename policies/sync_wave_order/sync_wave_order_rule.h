#pragma once
// sync-wave-order: warns when a VirtualService's Argo CD sync-wave is not later than the wave of
// a DestinationRule or Gateway it references, so that a fresh sync briefly routes to subsets or
// binds to Gateways that do not exist yet. Its second face judges a whole set of changes by
// replaying the sync (sync_replay.h), which is how `meshward check` runs it.

#include "policies/rule.h"

namespace meshward::policies {

inline constexpr std::string_view kSyncWaveOrderRuleId = "sync-wave-order";

class SyncWaveOrderRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  void evaluate(const RuleContext& context, Report& report) const override;
  std::optional<std::vector<SetFinding>> evaluateSet(const SetContext& context) const override;
};

}  // namespace meshward::policies
