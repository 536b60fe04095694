#include "policies/sync_wave_order/sync_wave_order_rule.h"

#include <map>
#include <tuple>

#include "policies/common/virtual_service_destinations.h"
#include "policies/common/virtual_service_references.h"
#include "policies/common/workload.h"
#include "policies/indexes/destination_rules_by_host.h"
#include "policies/indexes/gateways_by_name.h"
#include "policies/meshes/istio.h"
#include "policies/sync_wave_order/argo_sync_order.h"
#include "policies/sync_wave_order/sync_replay.h"
#include "policies/sync_wave_order/sync_wave_messages.h"
#include "webhook/common/join.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kDestinationRuleKind = "DestinationRule";
constexpr std::string_view kGatewayKind = "Gateway";
constexpr std::string_view kSyncWavePointer = "/metadata/annotations/argocd.argoproj.io~1sync-wave";

const std::vector<std::string_view>& virtualServiceReads() {
  static const std::vector<std::string_view> fields = [] {
    std::vector<std::string_view> all = virtualServiceReferenceFields();
    all.push_back(kSyncWavePointer);
    return all;
  }();
  return fields;
}

// A DestinationRule or Gateway the VirtualService references, and what for.
struct ReferencedObject {
  std::string_view kind;
  std::string namespace_name;
  std::string name;
  SyncWave wave;
  std::vector<std::string> uses;  // "subset v2 of reviews.shop.svc.cluster.local (http[0].route[1])", "gateways[0]"
};

// The referenced objects in the order the VirtualService first names them, each once.
class ReferencedObjects {
 public:
  void add(std::string_view kind, const std::string& namespace_name, const std::string& name, const SyncWave& wave,
           std::string use) {
    const auto [position, inserted] = index_.try_emplace(std::make_tuple(kind, namespace_name, name), objects_.size());
    if (inserted) {
      objects_.push_back(ReferencedObject{kind, namespace_name, name, wave, {}});
    }
    objects_[position->second].uses.push_back(std::move(use));
  }

  const std::vector<ReferencedObject>& objects() const { return objects_; }

 private:
  std::map<std::tuple<std::string_view, std::string, std::string>, std::size_t> index_;
  std::vector<ReferencedObject> objects_;
};

std::string outOfOrderMessage(const std::string& subject, const SyncWave& wave, const ReferencedObject& target) {
  const bool is_rule = target.kind == kDestinationRuleKind;
  const std::string target_name = std::string(target.kind) + " " + target.namespace_name + "/" + target.name;
  const std::string consequence =
      is_rule ? "on a fresh sync the VirtualService can route to subsets that do not exist yet, and Envoy answers "
                "503 for those routes until the DestinationRule is applied."
              : "on a fresh sync its routes are not served on that Gateway (404) until the Gateway is applied.";
  return subject + ": Argo CD syncs it (" + describeSyncWave(wave) + ") " +
         (wave.wave == target.wave.wave ? "in the same wave as " : "in an earlier wave than ") + target_name + " (" +
         describeSyncWave(target.wave) + "), which " + (is_rule ? "defines what it routes to: " : "it binds to: ") +
         joinStrings(target.uses, "; ") +
         ". Argo CD applies lower waves first and a wave's objects without waiting for them "
         "to be ready, so " +
         consequence + " " + laterWaveFix("VirtualService", target.wave.wave);
}

}  // namespace

const RuleMetadata& SyncWaveOrderRule::metadata() const {
  static const RuleMetadata metadata{
      .id = kSyncWaveOrderRuleId,
      .type = RuleType::Validating,
      .kinds = {istio::VirtualService},
      .operations = {"CREATE", "UPDATE"},
      .default_action = Action::Warn,
      .description =
          "Warns when Argo CD sync-waves would apply a VirtualService before the DestinationRules and "
          "Gateways it references.",
      .codes = {messages::SyncWaveBeforeReference, messages::SyncWaveRemovalBeforeChange},
      .parameters = {},
      .inputs = {{istio::DestinationRule, false}, {istio::Gateway, false}},
      .reads = {{istio::VirtualService, virtualServiceReads()},
                {istio::DestinationRule, destinationRuleSummaryFields()},
                {istio::Gateway, {kSyncWavePointer}}},
      .indexes = {&destinationRulesByHostIndex(), &gatewaysByNameIndex()},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

void SyncWaveOrderRule::evaluate(const RuleContext& context, Report& report) const {
  const std::string namespace_name = objectNamespace(context.request, context.object);
  const std::string subject = "VirtualService " + namespace_name + "/" + context.request.name;
  const SyncWave wave = syncWaveOf(context.object);
  if (const std::optional<std::string> invalid = invalidSyncWaveMessage(subject, wave)) {
    report.finding(messages::SyncWaveBeforeReference, *invalid);
  }
  if (!context.cluster.available()) {
    return;
  }
  ReferencedObjects referenced;
  const std::shared_ptr<const VirtualServiceDestinations> destinations = virtualServiceDestinations(context);
  for (const DestinationReference& destination : destinations->with_subset) {
    for (const DestinationRuleSubsets& rule : destinations->rulesDefining(destination)) {
      referenced.add(
          kDestinationRuleKind, rule.namespace_name, rule.name, syncWaveOfText(rule.sync_wave),
          "subset " + destination.subset + " of " + destination.resolved_host + " (" + destination.path + ")");
    }
  }
  for (const GatewayReference& gateway : gatewayReferences(context.object, namespace_name)) {
    if (const std::optional<GatewaySummary> summary = findGatewaySummary(context.cluster, gateway.namespace_name, gateway.name)) {
      referenced.add(kGatewayKind, gateway.namespace_name, gateway.name, syncWaveOfText(summary->sync_wave),
                     "gateways[" + std::to_string(gateway.index) + "]");
    }
  }
  for (const ReferencedObject& target : referenced.objects()) {
    const bool uses_waves = wave.annotated() || target.wave.annotated();
    if (uses_waves && wave.wave <= target.wave.wave) {
      report.finding(messages::SyncWaveBeforeReference, outOfOrderMessage(subject, wave, target));
    }
  }
}

std::optional<std::vector<SetFinding>> SyncWaveOrderRule::evaluateSet(const SetContext& context) const {
  return replaySync(context);
}

}  // namespace meshward::policies
