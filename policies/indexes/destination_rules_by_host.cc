#include "policies/indexes/destination_rules_by_host.h"

#include <algorithm>
#include <tuple>

#include "policies/common/destination_host.h"
#include "policies/meshes/istio.h"
#include "webhook/common/ascii.h"
#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kAnyHost = "*";
constexpr std::string_view kWildcardPrefix = "*.";
constexpr std::string_view kSyncWaveAnnotation = "argocd.argoproj.io/sync-wave";

}  // namespace

DestinationRuleSubsets summarizeDestinationRule(std::string_view namespace_name, std::string_view name,
                                                const nlohmann::json& destination_rule) {
  DestinationRuleSubsets summary;
  summary.namespace_name = std::string(namespace_name);
  summary.name = std::string(name);
  const nlohmann::json* spec = objectMember(&destination_rule, "spec");
  summary.host = std::string(stringMember(spec, "host").value_or(""));
  if (const nlohmann::json* subsets = arrayMember(spec, "subsets")) {
    for (const nlohmann::json& subset : *subsets) {
      if (const std::optional<std::string_view> subset_name = stringMember(&subset, "name")) {
        summary.subsets.emplace_back(*subset_name);
      }
    }
  }
  if (const nlohmann::json* export_to = arrayMember(spec, "exportTo")) {
    for (const nlohmann::json& target : *export_to) {
      if (target.is_string()) {
        summary.export_to.push_back(target.get<std::string>());
      }
    }
  }
  const nlohmann::json* annotations = objectMember(objectMember(&destination_rule, "metadata"), "annotations");
  if (const std::optional<std::string_view> wave = stringMember(annotations, kSyncWaveAnnotation)) {
    summary.sync_wave = std::string(*wave);
  }
  return summary;
}

const std::vector<std::string_view>& destinationRuleSummaryFields() {
  static const std::vector<std::string_view> fields = {"/spec/host", "/spec/subsets/*/name", "/spec/exportTo",
                                                       "/metadata/annotations/argocd.argoproj.io~1sync-wave"};
  return fields;
}

void DestinationRuleHostIndex::update(std::string_view namespace_name, std::string_view name,
                                      const nlohmann::json& destination_rule) {
  remove(namespace_name, name);
  DestinationRuleSubsets summary = summarizeDestinationRule(namespace_name, name, destination_rule);
  if (summary.host.empty()) {
    return;
  }
  const std::string host = resolveServiceHost(summary.host, namespace_name);
  Filing filing;
  if (host == kAnyHost) {
    filing.wildcard = true;
  } else if (host.starts_with(kWildcardPrefix)) {
    filing.wildcard = true;
    filing.key = host.substr(kWildcardPrefix.size());
  } else {
    filing.key = host;
  }
  RuleName rule_name{std::string(namespace_name), std::string(name)};
  RulesByKey& rules = filing.wildcard ? wildcards_ : by_host_;
  rules[filing.key].insert_or_assign(rule_name, std::move(summary));
  filing_of_.emplace(std::move(rule_name), std::move(filing));
}

void DestinationRuleHostIndex::remove(std::string_view namespace_name, std::string_view name) {
  const RuleName rule_name{std::string(namespace_name), std::string(name)};
  const auto filed = filing_of_.find(rule_name);
  if (filed == filing_of_.end()) {
    return;
  }
  RulesByKey& rules = filed->second.wildcard ? wildcards_ : by_host_;
  const auto same_key = rules.find(filed->second.key);
  if (same_key != rules.end()) {
    same_key->second.erase(rule_name);
    if (same_key->second.empty()) {
      rules.erase(same_key);
    }
  }
  filing_of_.erase(filed);
}

void DestinationRuleHostIndex::clear() {
  by_host_.clear();
  wildcards_.clear();
  filing_of_.clear();
}

void DestinationRuleHostIndex::collect(const RulesByKey& rules, std::string_view key,
                                       std::vector<DestinationRuleSubsets>& into) {
  const auto found = rules.find(key);
  if (found == rules.end()) {
    return;
  }
  for (const auto& [rule_name, summary] : found->second) {
    into.push_back(summary);
  }
}

std::vector<DestinationRuleSubsets> DestinationRuleHostIndex::query(std::string_view fully_qualified_host) const {
  std::vector<DestinationRuleSubsets> result;
  const std::string host = asciiLowercase(fully_qualified_host);
  if (host.empty()) {
    return result;
  }
  collect(by_host_, host, result);
  if (!wildcards_.empty()) {
    const std::string_view labels(host);
    for (std::size_t dot = labels.find('.'); dot != std::string_view::npos; dot = labels.find('.', dot + 1)) {
      collect(wildcards_, labels.substr(dot + 1), result);
    }
    collect(wildcards_, "", result);
  }
  std::sort(result.begin(), result.end(), [](const DestinationRuleSubsets& a, const DestinationRuleSubsets& b) {
    return std::tie(a.namespace_name, a.name) < std::tie(b.namespace_name, b.name);
  });
  return result;
}

void DestinationRuleHostIndex::update(const cluster::ObjectKey& key, const nlohmann::json& destination_rule) {
  update(key.namespace_name, key.name, destination_rule);
}

void DestinationRuleHostIndex::remove(const cluster::ObjectKey& key) { remove(key.namespace_name, key.name); }

const cluster::IndexSpec& destinationRulesByHostIndex() {
  static const cluster::SingleKindIndexSpec<DestinationRuleHostIndex> spec("destination-rules-by-host", istio::DestinationRule, destinationRuleSummaryFields());
  return spec;
}

std::vector<DestinationRuleSubsets> destinationRulesForHost(const cluster::ClusterState& cluster,
                                                            std::string_view fully_qualified_host) {
  return cluster::queryIndex<DestinationRuleHostIndex>(
      cluster, destinationRulesByHostIndex(),
      [&](const DestinationRuleHostIndex& index) { return index.query(fully_qualified_host); });
}

}  // namespace meshward::policies
