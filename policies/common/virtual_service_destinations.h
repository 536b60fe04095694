#pragma once
// What the VirtualService rules (virtualservice-subset-exists, sync-wave-order) both start from:
// the destinations of the VirtualService under review and, per host they route to a subset of,
// the DestinationRules of that host, looked up once per request and shared through its memo.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policies/common/virtual_service_references.h"
#include "policies/indexes/destination_rules_by_host.h"
#include "policies/rule.h"

namespace meshward::policies {

struct VirtualServiceDestinations {
  std::string namespace_name;                  // of the VirtualService
  std::vector<DestinationReference> with_subset;  // destinations that name a subset, in document order
  // destinationRulesForHost() of every host in with_subset (none without the index).
  std::map<std::string, std::vector<DestinationRuleSubsets>, std::less<>> rules_by_host;

  const std::vector<DestinationRuleSubsets>& rulesFor(std::string_view resolved_host) const;
  // The rules of the host that define `subset` and are visible from the VirtualService's namespace.
  std::vector<DestinationRuleSubsets> rulesDefining(const DestinationReference& reference) const;
};

// The destinations of context.object (a VirtualService), from the memo when a rule has already
// worked them out for this request.
std::shared_ptr<const VirtualServiceDestinations> virtualServiceDestinations(const RuleContext& context);

}  // namespace meshward::policies
