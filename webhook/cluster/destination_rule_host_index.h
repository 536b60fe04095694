#pragma once
// DestinationRules by the host they configure (short names resolved as Istio resolves them),
// with their subset names, kept up to date rule by rule so that "which subsets exist for host
// H" costs O(1) on average however many rules the cluster holds.

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"

namespace meshward::cluster {

// What the index keeps of one DestinationRule: its host as written and its subset names
// (entries without a string name are skipped).
DestinationRuleSubsets summarizeDestinationRule(std::string_view namespace_name, std::string_view name,
                                                const nlohmann::json& destination_rule);

// Not thread-safe: the owner serialises writers against readers.
class DestinationRuleHostIndex {
 public:
  void update(std::string_view namespace_name, std::string_view name, const nlohmann::json& destination_rule);
  void remove(std::string_view namespace_name, std::string_view name);
  void clear();

  std::vector<DestinationRuleSubsets> query(std::string_view fully_qualified_host) const;

 private:
  using RuleName = std::pair<std::string, std::string>;  // namespace, name

  std::unordered_map<std::string, std::map<RuleName, DestinationRuleSubsets>> by_host_;
  std::map<RuleName, std::string> host_of_;  // the resolved host each rule is filed under
};

}  // namespace meshward::cluster
