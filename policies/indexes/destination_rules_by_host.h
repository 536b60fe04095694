#pragma once
// Index "DestinationRules by host": DestinationRules by the host they configure (short names resolved as Istio resolves them),
// with their subset names and exportTo, kept up to date rule by rule so that "which rules apply to
// host H" costs one hash lookup for H and one per label of H for wildcard hosts ("*.example.com",
// "*"), however many rules the cluster holds.

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/index.h"

namespace meshward::policies {

struct DestinationRuleSubsets {
  std::string namespace_name;
  std::string name;
  std::string host;                    // spec.host as written
  std::vector<std::string> subsets;    // spec.subsets[].name, in order
  std::vector<std::string> export_to;  // spec.exportTo as written; empty means every namespace
  std::optional<std::string> sync_wave;  // the argocd.argoproj.io/sync-wave annotation when a string

  bool operator==(const DestinationRuleSubsets&) const = default;
};

// What the index keeps of one DestinationRule: its host as written, its subset names, its
// exportTo (entries that are not strings are skipped) and its sync wave.
DestinationRuleSubsets summarizeDestinationRule(std::string_view namespace_name, std::string_view name,
                                                const nlohmann::json& destination_rule);
// The fields summarizeDestinationRule() reads.
const std::vector<std::string_view>& destinationRuleSummaryFields();

// Not thread-safe: the owner serialises writers against readers.
class DestinationRuleHostIndex final : public cluster::ObjectIndex {
 public:
  void update(const cluster::ObjectKey& key, const nlohmann::json& destination_rule) override;
  void remove(const cluster::ObjectKey& key) override;
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

const cluster::IndexSpec& destinationRulesByHostIndex();

// The DestinationRules whose host is `fully_qualified_host` once short names are resolved the
// way Istio resolves them (resolveServiceHost in destination_host.h), or a wildcard host that
// matches it ("*.example.com", "*"), ordered by (namespace, name). Visibility (exportTo) is for
// the caller to judge.
std::vector<DestinationRuleSubsets> destinationRulesForHost(const cluster::ClusterState& cluster,
                                                            std::string_view fully_qualified_host);

}  // namespace meshward::policies
