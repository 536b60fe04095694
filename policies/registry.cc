#include "policies/registry.h"

#include <algorithm>

#include "policies/proxy_defaults/proxy_defaults_rule.h"
#include "policies/rollout_strategy/rollout_strategy_rule.h"
#include "policies/sidecar_memory/sidecar_memory_rule.h"

namespace meshward::policies {

const std::vector<const Rule*>& allRules() {
  static const ProxyDefaultsRule proxy_defaults;
  static const RolloutStrategyRule rollout_strategy;
  static const SidecarMemoryRule sidecar_memory;
  static const std::vector<const Rule*> rules = [] {
    std::vector<const Rule*> sorted = {&proxy_defaults, &rollout_strategy, &sidecar_memory};
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
