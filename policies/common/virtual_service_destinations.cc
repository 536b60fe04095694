#include "policies/common/virtual_service_destinations.h"

#include "policies/common/workload.h"

namespace meshward::policies {

const std::vector<DestinationRuleSubsets>& VirtualServiceDestinations::rulesFor(std::string_view resolved_host) const {
  static const std::vector<DestinationRuleSubsets> kNone;
  const auto found = rules_by_host.find(resolved_host);
  return found != rules_by_host.end() ? found->second : kNone;
}

std::vector<DestinationRuleSubsets> VirtualServiceDestinations::rulesDefining(
    const DestinationReference& reference) const {
  std::vector<DestinationRuleSubsets> defining;
  for (const DestinationRuleSubsets& rule : rulesFor(reference.resolved_host)) {
    if (definesSubset(rule, reference.subset) && destinationRuleVisibleFrom(rule, namespace_name)) {
      defining.push_back(rule);
    }
  }
  return defining;
}

std::shared_ptr<const VirtualServiceDestinations> virtualServiceDestinations(const RuleContext& context) {
  const auto compute = [&context] {
    VirtualServiceDestinations destinations;
    destinations.namespace_name = objectNamespace(context.request, context.object);
    destinations.with_subset = destinationReferences(context.object, destinations.namespace_name);
    std::erase_if(destinations.with_subset,
                  [](const DestinationReference& reference) { return reference.subset.empty(); });
    for (const DestinationReference& reference : destinations.with_subset) {
      if (!destinations.rules_by_host.contains(reference.resolved_host)) {
        destinations.rules_by_host.emplace(reference.resolved_host,
                                           destinationRulesForHost(context.cluster, reference.resolved_host));
      }
    }
    return destinations;
  };
  if (context.memo == nullptr) {
    return std::make_shared<const VirtualServiceDestinations>(compute());
  }
  return context.memo->get<VirtualServiceDestinations>(compute);
}

}  // namespace meshward::policies
