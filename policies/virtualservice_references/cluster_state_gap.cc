#include "policies/virtualservice_references/cluster_state_gap.h"

namespace meshward::policies {

std::optional<std::string> clusterStateGap(const cluster::ClusterState& cluster, std::string_view group,
                                           std::string_view kind) {
  if (!cluster.available()) {
    return "meshward has no cluster state (serve it with --kubeconfig, in-cluster credentials or --cluster-state)";
  }
  if (!cluster.ready()) {
    return "the cluster state is still being listed";
  }
  if (!cluster.tracksKind(group, kind)) {
    return "the cluster state does not follow " + std::string(kind) + "s (" + std::string(group) + ")";
  }
  return std::nullopt;
}

void reportClusterStateGap(const RuleContext& context, const std::string& subject, std::string_view what,
                           const std::string& gap, Report& report) {
  const Action action = context.settings.action == Action::Audit ? Action::Audit : Action::Warn;
  report.finding(messages::ClusterStateUnavailable,
                 subject + ": " + std::string(what) + " could not be checked because " + gap +
                     "; it is admitted unchecked. Run `istioctl analyze` (IST0101) or `meshward check` on your "
                     "manifests to verify.",
                 action);
}

}  // namespace meshward::policies
