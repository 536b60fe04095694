#pragma once
// The engine's second entry point: a set of changes applied together (`meshward check` of a
// folder) is shown to every rule that has a face for sets (Rule::evaluateSet); those rules'
// set findings stand in for their per-object judgement of the set's objects.

#include <vector>

#include "policies/policy.h"
#include "policies/rule.h"
#include "webhook/admission/decision.h"

namespace meshward::admission {

struct SetDecision {
  std::vector<policies::SetFinding> findings;  // in object order
  std::vector<const policies::Rule*> judged;   // the rules whose set face ran: not to be run per object
  std::vector<RuleError> rule_errors;          // a set face that failed (it still counts as judged)
};

// Rules that are off are not asked. Never throws.
SetDecision evaluateSet(const policies::ChangeSet& set, const policies::Policy& policy,
                        const std::vector<const policies::Rule*>& rules);

}  // namespace meshward::admission
