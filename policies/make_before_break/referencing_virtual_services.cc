#include "policies/make_before_break/referencing_virtual_services.h"

#include <algorithm>

#include "policies/common/json_fields.h"
#include "policies/common/workload.h"
#include "policies/virtualservice_references/cluster_state_gap.h"

namespace meshward::policies {

bool clusterStateCanAnswer(const RuleContext& context, const std::vector<std::string_view>& kinds,
                           std::string_view question, Report& report) {
  for (const std::string_view kind : kinds) {
    const std::optional<std::string> gap = clusterStateGap(context.cluster, cluster::kIstioNetworkingGroup, kind);
    if (gap) {
      const Action action = context.settings.action == Action::Audit ? Action::Audit : Action::Warn;
      report.finding(messages::ClusterStateUnavailable,
                     describeWorkload(context.request, context.old_object) + ": " + std::string(question) +
                         " could not be checked because " + *gap + "; the change is admitted unchecked.",
                     action);
      return false;
    }
  }
  return true;
}

std::string requestObjectName(const RequestFacts& request, const nlohmann::json& object) {
  if (!request.name.empty()) {
    return request.name;
  }
  return std::string(stringMember(objectMember(&object, "metadata"), "name").value_or(""));
}

std::string firstFew(const std::vector<std::string>& entries) {
  std::string text;
  const std::size_t shown = std::min(entries.size(), kVirtualServicesNamed);
  for (std::size_t i = 0; i < shown; ++i) {
    text += (i == 0 ? "" : ", ") + entries[i];
  }
  if (entries.size() > shown) {
    text += " and " + std::to_string(entries.size() - shown) + " more";
  }
  return text;
}

std::string countOfVirtualServices(std::size_t count) {
  return std::to_string(count) + (count == 1 ? " VirtualService" : " VirtualServices");
}

}  // namespace meshward::policies
