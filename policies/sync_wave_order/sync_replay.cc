#include "policies/sync_wave_order/sync_replay.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "policies/common/virtual_service_references.h"
#include "policies/sync_wave_order/argo_sync_order.h"
#include "policies/sync_wave_order/sync_wave_messages.h"
#include "policies/sync_wave_order/sync_wave_order_rule.h"
#include "policies/common/destination_host.h"
#include "policies/indexes/destination_rules_by_host.h"
#include "policies/meshes/istio.h"
#include "webhook/common/join.h"

namespace meshward::policies {
namespace {


constexpr std::string_view kVirtualServiceKind = "VirtualService";
constexpr std::string_view kDestinationRuleKind = "DestinationRule";
constexpr std::string_view kGatewayKind = "Gateway";

// A checked VirtualService, DestinationRule or Gateway and its place in the sync.
struct SyncedObject {
  std::size_t manifest = 0;
  const cluster::Manifest* source = nullptr;
  cluster::ObjectKey key;
  SyncWave wave;
  ArgoSyncPosition position;

  // "DestinationRule shop/reviews"
  std::string subject() const { return key.kind + " " + key.namespace_name + "/" + key.name; }
  // "DestinationRule shop/reviews (sync-wave 1, istio/reviews.yaml:12)"
  std::string description() const { return subject() + " (" + describeSyncWave(wave) + ", " + location() + ")"; }
  std::string location() const { return source->file + ":" + std::to_string(source->line); }
};

// The instant just before the checked object at `position` is applied, with `also_applied` (if
// set) counted as applied already.
struct Moment {
  const ArgoSyncPosition& position;
  const cluster::ObjectKey* also_applied = nullptr;
};

// What one finding says an object needs or takes away, collected per other object in first-seen order.
class UsesByObject {
 public:
  void add(const SyncedObject& object, std::string use) {
    const auto [entry, inserted] = index_.try_emplace(&object, entries_.size());
    if (inserted) {
      entries_.emplace_back(&object, std::vector<std::string>{});
    }
    entries_[entry->second].second.push_back(std::move(use));
  }
  const std::vector<std::pair<const SyncedObject*, std::vector<std::string>>>& entries() const { return entries_; }

 private:
  std::map<const SyncedObject*, std::size_t> index_;
  std::vector<std::pair<const SyncedObject*, std::vector<std::string>>> entries_;
};

std::string describeSubset(const DestinationReference& reference) {
  return "subset " + reference.subset + " of " + reference.resolved_host;
}

class SyncReplay {
 public:
  SyncReplay(const std::vector<cluster::Manifest>& checked, const cluster::ClusterState& live,
             const cluster::ClusterState& synced, Action action)
      : live_(live), synced_(synced), action_(action) {
    for (std::size_t i = 0; i < checked.size(); ++i) {
      const std::optional<cluster::ObjectKey> key = cluster::objectKeyOf(checked[i].object);
      if (!key || key->group != istio::kNetworkingGroup || key->name.empty() ||
          (key->kind != kVirtualServiceKind && key->kind != kDestinationRuleKind && key->kind != kGatewayKind)) {
        continue;
      }
      objects_.insert_or_assign(*key, SyncedObject{i, &checked[i], *key, syncWaveOf(checked[i].object),
                                                   argoSyncPosition(checked[i].object)});
    }
  }

  std::vector<SetFinding> run() {
    for (const auto& [key, object] : objects_) {
      if (key.kind == kVirtualServiceKind) {
        if (const std::optional<std::string> invalid =
                invalidSyncWaveMessage(object.subject(), object.wave)) {
          report(object, messages::SyncWaveBeforeReference, *invalid);
        }
        reportMissingWhenApplied(object);
        reportRemovalsBeforeChange(object);
      }
    }
    std::stable_sort(findings_.begin(), findings_.end(),
                     [](const SetFinding& a, const SetFinding& b) { return a.object < b.object; });
    return std::move(findings_);
  }

 private:
  const SyncedObject* find(std::string_view kind, const std::string& namespace_name, const std::string& name) const {
    const auto found = objects_.find(
        cluster::ObjectKey{std::string(istio::kNetworkingGroup), std::string(kind), namespace_name, name});
    return found == objects_.end() ? nullptr : &found->second;
  }

  static bool applied(const SyncedObject* object, const Moment& moment) {
    return object != nullptr && (object->position < moment.position ||
                                 (moment.also_applied != nullptr && object->key == *moment.also_applied));
  }

  // Whether, at `moment`, a DestinationRule visible from `from_namespace` defines the subset: a rule
  // the sync has applied by then counts in its new version, any other in its live one.
  bool subsetDefinedAt(const std::string& from_namespace, const DestinationReference& reference,
                       const Moment& moment) const {
    for (const DestinationRuleSubsets& rule :
         rulesDefiningSubset(synced_, from_namespace, reference.resolved_host, reference.subset)) {
      if (applied(find(kDestinationRuleKind, rule.namespace_name, rule.name), moment)) {
        return true;
      }
    }
    for (const DestinationRuleSubsets& rule :
         rulesDefiningSubset(live_, from_namespace, reference.resolved_host, reference.subset)) {
      if (!applied(find(kDestinationRuleKind, rule.namespace_name, rule.name), moment)) {
        return true;
      }
    }
    return false;
  }

  // The checked DestinationRule applied first among those that define the subset once the sync is
  // done; nullptr when none does.
  const SyncedObject* firstRuleDefiningAfterSync(const std::string& from_namespace,
                                                 const DestinationReference& reference) const {
    const SyncedObject* first = nullptr;
    for (const DestinationRuleSubsets& rule :
         rulesDefiningSubset(synced_, from_namespace, reference.resolved_host, reference.subset)) {
      const SyncedObject* candidate = find(kDestinationRuleKind, rule.namespace_name, rule.name);
      if (candidate != nullptr && (first == nullptr || candidate->position < first->position)) {
        first = candidate;
      }
    }
    return first;
  }

  // MW0701: what the VirtualService needs that exists once the sync is done but not yet when the
  // VirtualService is applied. What never exists is virtualservice-subset-exists' and
  // virtualservice-gateway-exists' to report.
  void reportMissingWhenApplied(const SyncedObject& virtual_service) {
    const nlohmann::json& object = virtual_service.source->object;
    const std::string& namespace_name = virtual_service.key.namespace_name;
    const Moment applied_at{virtual_service.position};
    UsesByObject needed;
    for (const DestinationReference& reference : destinationReferences(object, namespace_name)) {
      if (reference.subset.empty() || subsetDefinedAt(namespace_name, reference, applied_at)) {
        continue;
      }
      const SyncedObject* rule = firstRuleDefiningAfterSync(namespace_name, reference);
      if (rule != nullptr && usesWaves(virtual_service, *rule)) {
        needed.add(*rule, describeSubset(reference) + " (" + reference.path + ")");
      }
    }
    for (const GatewayReference& reference : gatewayReferences(object, namespace_name)) {
      if (findGateway(live_, reference.written, namespace_name) != nullptr) {
        continue;
      }
      const SyncedObject* gateway = find(kGatewayKind, reference.namespace_name, reference.name);
      if (gateway != nullptr && !applied(gateway, applied_at) && usesWaves(virtual_service, *gateway)) {
        needed.add(*gateway, "gateways[" + std::to_string(reference.index) + "]");
      }
    }
    for (const auto& [target, uses] : needed.entries()) {
      const bool is_rule = target->key.kind == kDestinationRuleKind;
      report(
          virtual_service, messages::SyncWaveBeforeReference,
          virtual_service.subject() + ": " +
              appliedBeforeClause(virtual_service.position, target->position,
                                  "it (" + describeSyncWave(virtual_service.wave) + ")", target->description()) +
              ", which " + (is_rule ? "defines what it routes to: " : "it binds to: ") + joinStrings(uses, "; ") +
              ". Until the " +
              target->key.kind + " is applied, " +
              (is_rule ? "Envoy answers 503 for those routes. " : "its routes are not served on that Gateway (404). ") +
              laterWaveFix("VirtualService", target->wave.wave));
    }
  }

  // MW0702: DestinationRule changes that take away a subset the VirtualService's live version routes
  // to, applied before (or with) the VirtualService change that stops routing to it.
  void reportRemovalsBeforeChange(const SyncedObject& virtual_service) {
    const std::string& namespace_name = virtual_service.key.namespace_name;
    const std::shared_ptr<const nlohmann::json> live_version =
        live_.findObject(istio::kNetworkingGroup, kVirtualServiceKind, namespace_name, virtual_service.key.name);
    if (live_version == nullptr) {
      return;
    }
    std::set<std::pair<std::string, std::string>> still_used;
    for (const DestinationReference& reference :
         destinationReferences(virtual_service.source->object, namespace_name)) {
      still_used.emplace(reference.resolved_host, reference.subset);
    }
    UsesByObject taken_away;
    for (const DestinationReference& reference : destinationReferences(*live_version, namespace_name)) {
      if (reference.subset.empty() || !still_used.emplace(reference.resolved_host, reference.subset).second) {
        continue;
      }
      for (const DestinationRuleSubsets& before :
           rulesDefiningSubset(live_, namespace_name, reference.resolved_host, reference.subset)) {
        const SyncedObject* change = find(kDestinationRuleKind, before.namespace_name, before.name);
        if (change == nullptr || virtual_service.position < change->position || !usesWaves(virtual_service, *change)) {
          continue;
        }
        const bool defined_before = subsetDefinedAt(namespace_name, reference, Moment{change->position});
        const bool defined_after = subsetDefinedAt(namespace_name, reference, Moment{change->position, &change->key});
        if (defined_before && !defined_after) {
          taken_away.add(*change, whatTheChangeTakesAway(before, *change, reference, namespace_name));
        }
      }
    }
    for (const auto& [change, what] : taken_away.entries()) {
      report(*change, messages::SyncWaveRemovalBeforeChange,
             change->subject() + ": " +
                 appliedBeforeClause(change->position, virtual_service.position,
                                     "it (" + describeSyncWave(change->wave) + ")",
                                     "the change of " + virtual_service.description()) +
                 " that stops routing to what it takes away: " + joinStrings(what, "; ") +
                 ". In between, the live VirtualService still routes there and Envoy answers 503 for those routes. " +
                 laterWaveFix("DestinationRule", virtual_service.wave.wave));
    }
  }

  static std::string whatTheChangeTakesAway(const DestinationRuleSubsets& before, const SyncedObject& change,
                                            const DestinationReference& reference, const std::string& from_namespace) {
    const DestinationRuleSubsets after =
        summarizeDestinationRule(change.key.namespace_name, change.key.name, change.source->object);
    const std::string used_at = " (" + reference.path + ")";
    if (std::find(after.subsets.begin(), after.subsets.end(), reference.subset) == after.subsets.end()) {
      return "removes " + describeSubset(reference) + used_at;
    }
    if (resolveServiceHost(after.host, after.namespace_name) !=
        resolveServiceHost(before.host, before.namespace_name)) {
      return "changes its host from \"" + before.host + "\" to \"" + after.host + "\", leaving " +
             describeSubset(reference) + " undefined" + used_at;
    }
    return "no longer exports " + describeSubset(reference) + " to namespace " + from_namespace + " (exportTo)" +
           used_at;
  }

  static bool usesWaves(const SyncedObject& a, const SyncedObject& b) {
    return a.wave.annotated() || b.wave.annotated();
  }

  void report(const SyncedObject& about, const MessageCode& code, std::string message) {
    findings_.push_back(
        SetFinding{about.manifest, Finding{std::string(kSyncWaveOrderRuleId),
                                                         std::string(code.code), action_, std::move(message)}});
  }

  const cluster::ClusterState& live_;
  const cluster::ClusterState& synced_;
  Action action_;
  std::map<cluster::ObjectKey, SyncedObject> objects_;
  std::vector<SetFinding> findings_;
};

}  // namespace

std::vector<SetFinding> replaySync(const SetContext& context) {
  std::vector<SetFinding> findings =
      SyncReplay(context.set.objects, context.set.before, context.set.after, context.settings.action).run();
  std::erase_if(findings, [&](const SetFinding& planned) {
    const std::optional<cluster::ObjectKey> key = cluster::objectKeyOf(context.set.objects[planned.object].object);
    return key && context.mesh.isIgnoredNamespace(key->namespace_name);
  });
  return findings;
}

}  // namespace meshward::policies
