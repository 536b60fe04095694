#include "webhook/cluster/offline_cluster_state.h"

#include <iostream>
#include <utility>

#include "policies/common/sidecar_injection.h"
#include "policies/common/workload.h"
#include "webhook/cluster/namespace_info.h"

namespace meshward::cluster {
namespace {

bool inSameRange(const ObjectKey& key, const ObjectKey& first, bool within_namespace) {
  return key.group == first.group && key.kind == first.kind &&
         (!within_namespace || key.namespace_name == first.namespace_name);
}

}  // namespace

OfflineClusterState::OfflineClusterState(const std::vector<Manifest>& manifests) {
  for (const Manifest& manifest : manifests) {
    std::optional<ObjectKey> key = objectKeyOf(manifest.object);
    if (!key || key->name.empty()) {
      continue;
    }
    objects_.insert_or_assign(std::move(*key), std::make_shared<const nlohmann::json>(manifest.object));
  }
  buildIndexes();
}

void OfflineClusterState::buildIndexes() {
  forEachObject("", "Pod", [this](const ObjectKey& key, const nlohmann::json& pod) {
    const std::optional<policies::PodTemplate> pod_view = policies::findPodTemplate("Pod", pod);
    if (!pod_view) {
      return;
    }
    const bool without_sidecar =
        !podFinished(pod) && !policies::detectSidecars(*pod_view, findNamespace(key.namespace_name)).any();
    pods_without_sidecar_.update(key.namespace_name, key.name, without_sidecar);
  });
  forEachObject(kIstioNetworkingGroup, "DestinationRule", [this](const ObjectKey& key, const nlohmann::json& rule) {
    destination_rules_.update(key.namespace_name, key.name, rule);
  });
}

std::optional<NamespaceInfo> OfflineClusterState::findNamespace(std::string_view name) const {
  const std::shared_ptr<const nlohmann::json> object = findObject("", "Namespace", "", name);
  if (object == nullptr) {
    return std::nullopt;
  }
  return namespaceInfoOf(name, *object);
}

std::shared_ptr<const nlohmann::json> OfflineClusterState::findObject(std::string_view group, std::string_view kind,
                                                                      std::string_view namespace_name,
                                                                      std::string_view name) const {
  const auto found = objects_.find(
      ObjectKey{std::string(group), std::string(kind), std::string(namespace_name), std::string(name)});
  return found == objects_.end() ? nullptr : found->second;
}

void OfflineClusterState::forEachObject(std::string_view group, std::string_view kind,
                                        const ObjectVisitor& visit) const {
  forEachFrom(ObjectKey{std::string(group), std::string(kind), "", ""}, false, visit);
}

void OfflineClusterState::forEachObjectInNamespace(std::string_view group, std::string_view kind,
                                                   std::string_view namespace_name,
                                                   const ObjectVisitor& visit) const {
  forEachFrom(ObjectKey{std::string(group), std::string(kind), std::string(namespace_name), ""}, true, visit);
}

void OfflineClusterState::forEachFrom(const ObjectKey& first, bool within_namespace,
                                      const ObjectVisitor& visit) const {
  for (auto entry = objects_.lower_bound(first);
       entry != objects_.end() && inSameRange(entry->first, first, within_namespace); ++entry) {
    visit(entry->first, *entry->second);
  }
}

PodsWithoutSidecar OfflineClusterState::podsWithoutSidecar(std::string_view namespace_name,
                                                           std::size_t max_names) const {
  return pods_without_sidecar_.query(namespace_name, max_names);
}

std::vector<DestinationRuleSubsets> OfflineClusterState::destinationRulesForHost(
    std::string_view fully_qualified_host) const {
  return destination_rules_.query(fully_qualified_host);
}

Result<std::unique_ptr<ClusterState>> loadOfflineClusterState(const std::vector<std::string>& paths) {
  Result<std::vector<Manifest>> manifests = loadManifests(paths, std::cin, LoadOptions{.lenient = true});
  if (!manifests) {
    return Error{manifests.error()};
  }
  return std::unique_ptr<ClusterState>(std::make_unique<OfflineClusterState>(*manifests));
}

}  // namespace meshward::cluster
