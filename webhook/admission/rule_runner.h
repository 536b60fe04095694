#pragma once
// Runs one rule on one request the way every caller must (the engine, `meshward check`, the rule
// test harness): works out from the rule's declared inputs whether the cluster state can answer
// it, words the gap (MW0003) when the rule needed it, and turns a failure inside the rule into
// one finding (MW0004) with the rule's onError action, so one broken rule never fails a review.

#include <optional>
#include <string>
#include <vector>

#include "policies/finding.h"
#include "policies/rule.h"
#include "webhook/cluster/cluster_state.h"

namespace meshward::admission {

struct RuleOutcome {
  std::vector<policies::Finding> findings;
  std::vector<policies::PatchOperation> patches;  // none when the rule failed
  std::optional<std::string> error;               // what failed inside the rule
};

// Why `cluster` cannot give `metadata`'s required inputs, or nullopt when it can (or the rule
// requires none).
std::optional<std::string> inputGap(const cluster::ClusterState& cluster, const policies::RuleMetadata& metadata);

// `context.input_gap` is ignored: the runner works it out. Never throws.
RuleOutcome runRule(const policies::Rule& rule, const policies::RuleContext& context);

}  // namespace meshward::admission
