#pragma once
// The engine turns one admission request into one decision: it runs every applicable rule
// of the given webhook type with the policy's action and parameters, applies break-glass,
// and shapes the answer (deny message, warnings, patch, audit annotations). Pure: no I/O.

#include "policies/policy.h"
#include "policies/rule.h"
#include "webhook/admission/admission_review.h"
#include "webhook/admission/decision.h"
#include "webhook/cluster/cluster_state.h"

namespace meshward::admission {

inline constexpr std::string_view kBreakGlassLabel = "meshward.dev/break-glass";
inline constexpr std::string_view kBreakGlassReasonAnnotation = "meshward.dev/break-glass-reason";
inline constexpr std::string_view kBreakGlassExpiresAnnotation = "meshward.dev/break-glass-expires";
inline constexpr size_t kMaxWarningLength = 120;

// Runs the rules of `webhook` (validating for /validate, mutating for /mutate), each isolated
// (rule_runner.h): a rule that fails becomes a finding with its onError action and an entry of
// Decision::rule_errors, never a failed review.
Decision evaluate(policies::RuleType webhook, const AdmissionRequest& request, const policies::Policy& policy,
                  const cluster::ClusterState& cluster);

// The same with an explicit rule list (tests); `policy` must hold settings for each rule.
Decision evaluate(policies::RuleType webhook, const AdmissionRequest& request, const policies::Policy& policy,
                  const cluster::ClusterState& cluster, const std::vector<const policies::Rule*>& rules);

// Splits a message into warnings of at most kMaxWarningLength characters at word boundaries.
std::vector<std::string> splitWarning(const std::string& message);

}  // namespace meshward::admission
