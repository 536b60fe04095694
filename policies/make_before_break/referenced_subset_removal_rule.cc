#include "policies/make_before_break/referenced_subset_removal_rule.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "policies/common/virtual_service_references.h"
#include "policies/common/workload.h"
#include "policies/make_before_break/referencing_virtual_services.h"
#include "policies/common/destination_host.h"
#include "policies/indexes/destination_rules_by_host.h"
#include "policies/indexes/virtual_service_references_index.h"
#include "policies/meshes/istio.h"
#include "webhook/common/join.h"

namespace meshward::policies {
namespace {

using SubsetNames = std::set<std::string>;

// The version of the DestinationRule before or after the change, with its host resolved.
struct RuleVersion {
  DestinationRuleSubsets summary;
  std::string host;  // spec.host resolved in the rule's namespace
};

RuleVersion versionOf(const cluster::ObjectKey& key, const nlohmann::json& rule) {
  DestinationRuleSubsets summary = summarizeDestinationRule(key.namespace_name, key.name, rule);
  std::string host = policies::resolveServiceHost(summary.host, key.namespace_name);
  return RuleVersion{std::move(summary), std::move(host)};
}

// Whether a DestinationRule for `rule_host` applies to traffic for `destination_host`: the same
// host, or a wildcard ("*.example.com", "*") that matches it.
bool hostCovers(std::string_view rule_host, std::string_view destination_host) {
  if (!rule_host.empty() && rule_host.front() == '*') {
    return destination_host.ends_with(rule_host.substr(1));
  }
  return rule_host == destination_host;
}

// Whether `version` gives `subset` of `destination_host` to VirtualServices in `namespace_name`.
bool definesVisibly(const RuleVersion& version, std::string_view destination_host, std::string_view subset,
                    std::string_view namespace_name) {
  return hostCovers(version.host, destination_host) && definesSubset(version.summary, subset) &&
         destinationRuleVisibleFrom(version.summary, namespace_name);
}

struct SubsetUse {
  std::string host;  // the destination host as resolved from the VirtualService's namespace
  std::string subset;

  auto operator<=>(const SubsetUse&) const = default;
};

// The subsets `route` uses on hosts `rule_host` covers. The index answers a wildcard with the
// subsets of every host it matches merged, so then the VirtualService itself says which host
// uses which subset.
std::set<SubsetUse> subsetUses(const cluster::ClusterState& cluster, const VirtualServiceRoute& route,
                               const std::string& rule_host) {
  std::set<SubsetUse> uses;
  if (rule_host.front() != '*') {
    for (const std::string& subset : route.subsets) {
      uses.insert(SubsetUse{rule_host, subset});
    }
    return uses;
  }
  const std::shared_ptr<const nlohmann::json> service =
      cluster.findObject(istio::VirtualService.group, istio::VirtualService.kind, route.namespace_name, route.name);
  if (service == nullptr) {
    return uses;
  }
  for (const DestinationReference& destination : destinationReferences(*service, route.namespace_name)) {
    if (!destination.subset.empty() && hostCovers(rule_host, destination.resolved_host)) {
      uses.insert(SubsetUse{destination.resolved_host, destination.subset});
    }
  }
  return uses;
}

std::string whatChanges(const RuleVersion& before, const std::optional<RuleVersion>& after, const SubsetNames& lost) {
  if (!after) {
    return "deleting it";
  }
  if (after->host != before.host) {
    return "changing spec.host from " + before.summary.host + " to " + after->summary.host;
  }
  const bool still_defined = std::all_of(
      lost.begin(), lost.end(), [&](const std::string& subset) { return definesSubset(after->summary, subset); });
  return still_defined ? "narrowing spec.exportTo" : "this update";
}

// Nothing is taken from anyone: same host, same visibility, every subset kept.
bool keepsEverything(const RuleVersion& before, const std::optional<RuleVersion>& after) {
  return after && after->host == before.host && after->summary.export_to == before.summary.export_to &&
         std::all_of(before.summary.subsets.begin(), before.summary.subsets.end(),
                     [&](const std::string& subset) { return definesSubset(after->summary, subset); });
}

}  // namespace

const RuleMetadata& ReferencedSubsetRemovalRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "referenced-subset-removal",
      .type = RuleType::Validating,
      .kinds = {istio::DestinationRule},
      .operations = {"UPDATE", "DELETE"},
      .default_action = Action::Deny,
      .description = "Stops DestinationRule changes that remove a subset VirtualServices still route to.",
      .codes = {messages::SubsetStillReferenced},
      .parameters = {},
      .inputs = {{istio::VirtualService}, {istio::DestinationRule}},
      .reads = {{istio::DestinationRule, destinationRuleSummaryFields()},
                {istio::VirtualService, virtualServiceReferenceFields()}},
      .indexes = {&virtualServiceReferencesIndex(), &destinationRulesByHostIndex()},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

void ReferencedSubsetRemovalRule::evaluate(const RuleContext& context, Report& report) const {
  if (!context.old_object.is_object()) {
    return;
  }
  const cluster::ObjectKey self{std::string(istio::DestinationRule.group), std::string(istio::DestinationRule.kind),
                                objectNamespace(context.request, context.old_object),
                                requestObjectName(context.request, context.old_object)};
  const RuleVersion before = versionOf(self, context.old_object);
  std::optional<RuleVersion> after;
  if (context.object.is_object()) {
    after = versionOf(self, context.object);
  }
  if (before.host.empty() || before.summary.subsets.empty() || keepsEverything(before, after)) {
    return;
  }
  if (!context.inputsAvailable(report)) {
    return;
  }

  std::map<std::string, SubsetNames> lost_by_service;  // "namespace/name" -> subsets it loses
  SubsetNames lost;
  for (const VirtualServiceRoute& route : virtualServicesRoutingTo(context.cluster, before.host)) {
    if (context.mesh.isIgnoredNamespace(route.namespace_name) ||
        !destinationRuleVisibleFrom(before.summary, route.namespace_name)) {
      continue;
    }
    for (const SubsetUse& use : subsetUses(context.cluster, route, before.host)) {
      if (!definesSubset(before.summary, use.subset) ||
          (after && definesVisibly(*after, use.host, use.subset, route.namespace_name)) ||
          !rulesDefiningSubset(context.cluster, route.namespace_name, use.host, use.subset, &self).empty()) {
        continue;
      }
      lost_by_service[route.namespace_name + "/" + route.name].insert(use.subset);
      lost.insert(use.subset);
    }
  }
  if (lost_by_service.empty()) {
    return;
  }

  std::vector<std::string> services;
  for (const auto& [service, subsets] : lost_by_service) {
    services.push_back(lost.size() == 1 ? service : service + " (" + joinStrings(subsets, ", ") + ")");
  }
  const std::string subsets = (lost.size() == 1 ? "subset " : "subsets ") + joinStrings(lost, ", ");
  report.finding(messages::SubsetStillReferenced,
                 describeObject(context.request, context.old_object) + ": " + whatChanges(before, after, lost) +
                     " removes " + subsets + " of " + before.host + " while " +
                     countOfVirtualServices(services.size()) +
                     " still route there and no other DestinationRule visible to them defines " +
                     (lost.size() == 1 ? "it" : "them") + ": " + firstFew(services) +
                     ". Envoy would answer those routes with 503 errors. Make before break: first change those "
                     "VirtualServices to stop using " +
                     subsets + ", then apply this change.");
}

}  // namespace meshward::policies
