#include "webhook/cluster/destination_rule_host_index.h"

#include <algorithm>
#include <cctype>

#include "policies/common/json_fields.h"
#include "webhook/cluster/destination_host.h"

namespace meshward::cluster {

DestinationRuleSubsets summarizeDestinationRule(std::string_view namespace_name, std::string_view name,
                                                const nlohmann::json& destination_rule) {
  DestinationRuleSubsets summary;
  summary.namespace_name = std::string(namespace_name);
  summary.name = std::string(name);
  const nlohmann::json* spec = policies::objectMember(&destination_rule, "spec");
  summary.host = std::string(policies::stringMember(spec, "host").value_or(""));
  if (const nlohmann::json* subsets = policies::arrayMember(spec, "subsets")) {
    for (const nlohmann::json& subset : *subsets) {
      if (const std::optional<std::string_view> subset_name = policies::stringMember(&subset, "name")) {
        summary.subsets.emplace_back(*subset_name);
      }
    }
  }
  return summary;
}

void DestinationRuleHostIndex::update(std::string_view namespace_name, std::string_view name,
                                      const nlohmann::json& destination_rule) {
  remove(namespace_name, name);
  DestinationRuleSubsets summary = summarizeDestinationRule(namespace_name, name, destination_rule);
  if (summary.host.empty()) {
    return;
  }
  std::string host = resolveServiceHost(summary.host, namespace_name);
  RuleName rule_name{std::string(namespace_name), std::string(name)};
  by_host_[host].insert_or_assign(rule_name, std::move(summary));
  host_of_.emplace(std::move(rule_name), std::move(host));
}

void DestinationRuleHostIndex::remove(std::string_view namespace_name, std::string_view name) {
  const RuleName rule_name{std::string(namespace_name), std::string(name)};
  const auto filed = host_of_.find(rule_name);
  if (filed == host_of_.end()) {
    return;
  }
  const auto rules = by_host_.find(filed->second);
  if (rules != by_host_.end()) {
    rules->second.erase(rule_name);
    if (rules->second.empty()) {
      by_host_.erase(rules);
    }
  }
  host_of_.erase(filed);
}

void DestinationRuleHostIndex::clear() {
  by_host_.clear();
  host_of_.clear();
}

std::vector<DestinationRuleSubsets> DestinationRuleHostIndex::query(std::string_view fully_qualified_host) const {
  std::vector<DestinationRuleSubsets> result;
  std::string host(fully_qualified_host);
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto rules = by_host_.find(host);
  if (rules == by_host_.end()) {
    return result;
  }
  result.reserve(rules->second.size());
  for (const auto& [rule_name, summary] : rules->second) {
    result.push_back(summary);
  }
  return result;
}

}  // namespace meshward::cluster
