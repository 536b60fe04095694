#include "webhook/admission/set_evaluation.h"

#include <algorithm>
#include <exception>
#include <optional>

namespace meshward::admission {

SetDecision evaluateSet(const policies::ChangeSet& set, const policies::Policy& policy,
                        const std::vector<const policies::Rule*>& rules) {
  SetDecision decision;
  for (const policies::Rule* rule : rules) {
    const policies::RuleMetadata& metadata = rule->metadata();
    const policies::RuleSettings& settings = policy.settingsFor(metadata.id);
    if (settings.action == policies::Action::Off) {
      continue;
    }
    try {
      std::optional<std::vector<policies::SetFinding>> findings =
          rule->evaluateSet(policies::SetContext{set, settings, policy.mesh});
      if (!findings) {
        continue;
      }
      decision.judged.push_back(rule);
      std::move(findings->begin(), findings->end(), std::back_inserter(decision.findings));
    } catch (const std::exception& failure) {
      decision.judged.push_back(rule);
      decision.rule_errors.push_back(RuleError{std::string(metadata.id), failure.what()});
    }
  }
  std::stable_sort(decision.findings.begin(), decision.findings.end(),
                   [](const policies::SetFinding& a, const policies::SetFinding& b) { return a.object < b.object; });
  return decision;
}

}  // namespace meshward::admission
