#include "policies/registry.h"

#include <algorithm>

#include "policies/authorization_policy_lockout/authorization_policy_lockout_rule.h"
#include "policies/change_governance/change_governance_rule.h"
#include "policies/control_plane_revisions/revision_exists_rule.h"
#include "policies/control_plane_revisions/revision_in_use_rule.h"
#include "policies/injection_kept_under_strict/injection_kept_under_strict_rule.h"
#include "policies/make_before_break/referenced_gateway_removal_rule.h"
#include "policies/make_before_break/referenced_subset_removal_rule.h"
#include "policies/proxy_defaults/proxy_defaults_rule.h"
#include "policies/rollout_strategy/rollout_strategy_rule.h"
#include "policies/service_port_protocol/service_port_protocol_rule.h"
#include "policies/sidecar_memory/sidecar_memory_rule.h"
#include "policies/strict_mtls/strict_mtls_rule.h"
#include "policies/sync_wave_order/sync_wave_order_rule.h"
#include "policies/virtualservice_references/virtualservice_gateway_exists_rule.h"
#include "policies/virtualservice_references/virtualservice_subset_exists_rule.h"

namespace meshward::policies {

// One instance of each rule, for the life of the process.
template <typename ConcreteRule>
const Rule* rule() {
  static const ConcreteRule instance;
  return &instance;
}

const std::vector<const Rule*>& allRules() {
  static const std::vector<const Rule*> rules = [] {
    std::vector<const Rule*> sorted = {
        rule<AuthorizationPolicyLockoutRule>(),
        rule<ChangeGovernanceRule>(),
        rule<InjectionKeptUnderStrictRule>(),
        rule<ProxyDefaultsRule>(),
        rule<ReferencedGatewayRemovalRule>(),
        rule<ReferencedSubsetRemovalRule>(),
        rule<RevisionExistsRule>(),
        rule<RevisionInUseRule>(),
        rule<RolloutStrategyRule>(),
        rule<ServicePortProtocolRule>(),
        rule<SidecarMemoryRule>(),
        rule<StrictMtlsRule>(),
        rule<SyncWaveOrderRule>(),
        rule<VirtualServiceGatewayExistsRule>(),
        rule<VirtualServiceSubsetExistsRule>(),
    };
    std::sort(sorted.begin(), sorted.end(),
              [](const Rule* a, const Rule* b) { return a->metadata().id < b->metadata().id; });
    return sorted;
  }();
  return rules;
}

const Rule* findRule(std::string_view id) {
  for (const Rule* rule : allRules()) {
    if (rule->metadata().id == id) {
      return rule;
    }
  }
  return nullptr;
}

}  // namespace meshward::policies
