#include "policies/virtualservice_references/virtualservice_subset_exists_rule.h"

#include <algorithm>
#include <map>

#include "policies/common/virtual_service_destinations.h"
#include "policies/common/virtual_service_references.h"
#include "policies/common/workload.h"
#include "policies/indexes/destination_rules_by_host.h"
#include "policies/meshes/istio.h"
#include "policies/common/destination_host.h"
#include "webhook/common/join.h"

namespace meshward::policies {
namespace {

// One host+subset no visible DestinationRule defines, with every place the VirtualService names it.
struct MissingSubset {
  const DestinationReference* first;
  std::vector<std::string> paths;
  std::string explanation;
};

std::string ruleName(const DestinationRuleSubsets& rule) { return rule.namespace_name + "/" + rule.name; }

std::string subsetList(const DestinationRuleSubsets& rule) { return "[" + joinStrings(rule.subsets, ", ") + "]"; }

// "reviews.other" names no service: Istio expands only names without a dot (istio/istio#40819).
std::string namespaceShorthandHint(const cluster::ClusterState& cluster, const DestinationReference& reference,
                                   std::string_view from_namespace) {
  const std::string& host = reference.resolved_host;
  if (host.starts_with('*') || std::count(host.begin(), host.end(), '.') != 1) {
    return "";
  }
  const std::string expanded = host + ".svc." + std::string(kClusterDomain);
  if (rulesDefiningSubset(cluster, from_namespace, expanded, reference.subset).empty()) {
    return "";
  }
  return "; Istio does not expand \"" + reference.host + "\", write " + expanded;
}

// Why no visible DestinationRule for the host defines the subset.
std::string explain(const std::vector<DestinationRuleSubsets>& rules, const DestinationReference& reference,
                    std::string_view from_namespace) {
  std::vector<std::string> hidden_with_subset;
  std::vector<std::string> visible;
  for (const DestinationRuleSubsets& rule : rules) {
    if (destinationRuleVisibleFrom(rule, from_namespace)) {
      visible.push_back(ruleName(rule) + " " + subsetList(rule));
    } else if (definesSubset(rule, reference.subset)) {
      hidden_with_subset.push_back(ruleName(rule) + " (exportTo [" + joinStrings(rule.export_to, ", ") + "])");
    }
  }
  if (!hidden_with_subset.empty()) {
    return "DestinationRule " + joinStrings(hidden_with_subset, ", ") +
           " defines it but is not exported to namespace " + std::string(from_namespace);
  }
  if (!visible.empty()) {
    return "visible DestinationRules define only: " + joinStrings(visible, ", ");
  }
  if (!rules.empty()) {
    return "no DestinationRule for this host is exported to namespace " + std::string(from_namespace);
  }
  return "no DestinationRule for this host";
}

std::string describeMissing(const MissingSubset& missing) {
  return "subset " + missing.first->subset + " of " + missing.first->resolved_host + " at " +
         joinStrings(missing.paths, ", ") + " (" + missing.explanation + ")";
}

std::string message(const std::string& subject, std::string_view from_namespace,
                    const std::vector<MissingSubset>& missing) {
  std::vector<std::string> described;
  for (const MissingSubset& entry : missing) {
    described.push_back(describeMissing(entry));
  }
  const bool one = missing.size() == 1;
  const std::string fix =
      one ? "Create the DestinationRule with subset " + missing.front().first->subset +
                " first, or apply it in an earlier Argo CD sync wave than this VirtualService."
          : "Create the DestinationRules with these subsets first, or apply them in an earlier Argo CD sync wave than "
            "this VirtualService.";
  return subject + " routes to " + (one ? "a subset" : std::to_string(missing.size()) + " subsets") +
         " that no DestinationRule visible from namespace " + std::string(from_namespace) +
         (one ? " defines" : " define") + ", so Envoy answers 503 (NR/UH) for that traffic: " +
         joinStrings(described, "; ") + ". " + fix +
         " istioctl analyze reports this as IST0101 (ReferencedResourceNotFound).";
}

}  // namespace

const RuleMetadata& VirtualServiceSubsetExistsRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "virtualservice-subset-exists",
      .type = RuleType::Validating,
      .kinds = {istio::VirtualService},
      .operations = {"CREATE", "UPDATE"},
      .default_action = Action::Deny,
      .description = "Stops VirtualServices that route to a subset no visible DestinationRule defines (IST0101).",
      .codes = {messages::VirtualServiceSubsetNotFound},
      .parameters = {},
      .inputs = {{istio::DestinationRule}},
      .reads = {{istio::VirtualService, virtualServiceReferenceFields()},
                {istio::DestinationRule, destinationRuleSummaryFields()}},
      .indexes = {&destinationRulesByHostIndex()},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

void VirtualServiceSubsetExistsRule::evaluate(const RuleContext& context, Report& report) const {
  const std::shared_ptr<const VirtualServiceDestinations> destinations = virtualServiceDestinations(context);
  if (destinations->with_subset.empty() || !context.inputsAvailable(report)) {
    return;
  }
  const std::string& from_namespace = destinations->namespace_name;
  const std::string subject = describeObject(context.request, context.object);
  std::vector<MissingSubset> missing;
  for (const DestinationReference& reference : destinations->with_subset) {
    const std::vector<DestinationRuleSubsets>& rules = destinations->rulesFor(reference.resolved_host);
    const bool satisfied = std::any_of(rules.begin(), rules.end(), [&](const auto& rule) {
      return definesSubset(rule, reference.subset) && destinationRuleVisibleFrom(rule, from_namespace);
    });
    if (satisfied) {
      continue;
    }
    const auto same = std::find_if(missing.begin(), missing.end(), [&](const MissingSubset& entry) {
      return entry.first->resolved_host == reference.resolved_host && entry.first->subset == reference.subset;
    });
    if (same != missing.end()) {
      same->paths.push_back(reference.path);
      continue;
    }
    missing.push_back(MissingSubset{&reference, {reference.path},
                                    explain(rules, reference, from_namespace) +
                                        namespaceShorthandHint(context.cluster, reference, from_namespace)});
  }
  if (!missing.empty()) {
    report.finding(messages::VirtualServiceSubsetNotFound, message(subject, from_namespace, missing));
  }
}

}  // namespace meshward::policies
