#pragma once
// DestinationRules by the host they configure (short names resolved as Istio resolves them),
// with their subset names and exportTo, kept up to date rule by rule so that "which rules apply to
// host H" costs one hash lookup for H and one per label of H for wildcard hosts ("*.example.com",
// "*"), however many rules the cluster holds.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"

namespace meshward::cluster {

// What the index keeps of one DestinationRule: its host as written, its subset names and its
// exportTo (entries that are not strings are skipped).
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
  using RulesByName = std::map<RuleName, DestinationRuleSubsets>;
  // Looked up by string_view, so a query allocates nothing per label.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  using RulesByKey = std::unordered_map<std::string, RulesByName, KeyHash, std::equal_to<>>;

  // Where a rule is filed: exact hosts under the host, "*.example.com" under "example.com" in
  // wildcards_, "*" under "".
  struct Filing {
    bool wildcard = false;
    std::string key;
  };

  static void collect(const RulesByKey& rules, std::string_view key, std::vector<DestinationRuleSubsets>& into);

  RulesByKey by_host_;
  RulesByKey wildcards_;
  std::map<RuleName, Filing> filing_of_;
};

}  // namespace meshward::cluster
