#include "webhook/cluster/offline_cluster_state.h"

#include <iostream>
#include <utility>

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
  for (const policies::GroupKind& workload : policies::podWorkloadKinds()) {
    forEachObject(workload.group, workload.kind, [this](const ObjectKey& key, const nlohmann::json& object) {
      std::optional<PodWithoutSidecar> pod =
          manifestPodWithoutSidecar(key.kind, key.name, object, findNamespace(key.namespace_name));
      if (pod) {
        pods_without_sidecar_.update(key.namespace_name, std::move(*pod));
      }
    });
  }
  forEachObject(kIstioNetworkingGroup, "DestinationRule", [this](const ObjectKey& key, const nlohmann::json& rule) {
    destination_rules_.update(key.namespace_name, key.name, rule);
  });
  forEachObject(kIstioNetworkingGroup, "VirtualService", [this](const ObjectKey& key, const nlohmann::json& service) {
    virtual_service_references_.update(key.namespace_name, key.name, service);
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

std::vector<std::string> OfflineClusterState::namespacesWithPodsWithoutSidecar() const {
  return pods_without_sidecar_.namespaces();
}

void OfflineClusterState::forEachPodWithoutSidecar(std::string_view namespace_name,
                                                   const PodWithoutSidecarVisitor& visit) const {
  pods_without_sidecar_.forEach(namespace_name, visit);
}

std::vector<DestinationRuleSubsets> OfflineClusterState::destinationRulesForHost(
    std::string_view fully_qualified_host) const {
  return destination_rules_.query(fully_qualified_host);
}

std::vector<VirtualServiceRoute> OfflineClusterState::virtualServicesRoutingTo(
    std::string_view fully_qualified_host) const {
  return virtual_service_references_.routingTo(fully_qualified_host);
}

std::vector<ObjectKey> OfflineClusterState::virtualServicesBoundToGateway(std::string_view gateway_namespace,
                                                                          std::string_view gateway_name) const {
  return virtual_service_references_.boundToGateway(gateway_namespace, gateway_name);
}

Result<std::unique_ptr<ClusterState>> loadOfflineClusterState(const std::vector<std::string>& paths) {
  Result<std::vector<Manifest>> manifests = loadManifests(paths, std::cin, LoadOptions{.lenient = true});
  if (!manifests) {
    return Error{manifests.error()};
  }
  return std::unique_ptr<ClusterState>(std::make_unique<OfflineClusterState>(*manifests));
}

}  // namespace meshward::cluster
