#pragma once
// Why the cluster state cannot answer a reference rule (no source, still loading, the kind not
// followed), and the one warning the rule gives instead of guessing.

#include <optional>
#include <string>
#include <string_view>

#include "policies/rule.h"

namespace meshward::policies {

// Why `cluster` cannot say whether objects of `kind` exist, or nullopt when it can.
std::optional<std::string> clusterStateGap(const cluster::ClusterState& cluster, std::string_view group,
                                           std::string_view kind);

// Reports MW0003: `subject` ("VirtualService shop/reviews") could not be checked for `what`
// ("the DestinationRule subsets it routes to") because of `gap`. A warning, never a denial
// (audit-only when the rule is audit-only).
void reportClusterStateGap(const RuleContext& context, const std::string& subject, std::string_view what,
                           const std::string& gap, Report& report);

}  // namespace meshward::policies
