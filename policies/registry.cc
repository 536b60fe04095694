#include "policies/registry.h"

#include <algorithm>

#include "policies/make_before_break/referenced_gateway_removal_rule.h"
#include "policies/make_before_break/referenced_subset_removal_rule.h"
#include "policies/proxy_defaults/proxy_defaults_rule.h"
#include "policies/rollout_strategy/rollout_strategy_rule.h"
#include "policies/sidecar_memory/sidecar_memory_rule.h"
#include "policies/strict_mtls/strict_mtls_rule.h"
#include "policies/sync_wave_order/sync_wave_order_rule.h"
#include "policies/virtualservice_references/virtualservice_gateway_exists_rule.h"
#include "policies/virtualservice_references/virtualservice_subset_exists_rule.h"

namespace meshward::policies {

const std::vector<const Rule*>& allRules() {
  static const ProxyDefaultsRule proxy_defaults;
  static const ReferencedGatewayRemovalRule referenced_gateway_removal;
  static const ReferencedSubsetRemovalRule referenced_subset_removal;
  static const RolloutStrategyRule rollout_strategy;
  static const SidecarMemoryRule sidecar_memory;
  static const StrictMtlsRule strict_mtls;
  static const SyncWaveOrderRule sync_wave_order;
  static const VirtualServiceGatewayExistsRule virtualservice_gateway_exists;
  static const VirtualServiceSubsetExistsRule virtualservice_subset_exists;
  static const std::vector<const Rule*> rules = [] {
    std::vector<const Rule*> sorted = {
        &proxy_defaults,
        &referenced_gateway_removal,
        &referenced_subset_removal,
        &rollout_strategy,
        &sidecar_memory,
        &strict_mtls,
        &sync_wave_order,
        &virtualservice_gateway_exists,
        &virtualservice_subset_exists,
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
