#include "webhook/cluster/offline_cluster_state.h"

#include <iostream>
#include <utility>

#include "webhook/cluster/namespace_info.h"

namespace meshward::cluster {
namespace {

bool inSameRange(const ObjectKey& key, const ObjectKey& first, bool within_namespace) {
  return key.group == first.group && key.kind == first.kind &&
         (!within_namespace || key.namespace_name == first.namespace_name);
}

}  // namespace

OfflineClusterState::OfflineClusterState(const std::vector<Manifest>& manifests,
                                         const std::vector<const IndexSpec*>& indexes) {
  for (const Manifest& manifest : manifests) {
    std::optional<ObjectKey> key = objectKeyOf(manifest.object);
    if (!key || key->name.empty()) {
      continue;
    }
    objects_.insert_or_assign(std::move(*key), std::make_shared<const nlohmann::json>(manifest.object));
  }
  for (const IndexSpec* spec : indexes) {
    buildIndex(*spec);
  }
}

void OfflineClusterState::buildIndex(const IndexSpec& spec) {
  std::unique_ptr<ObjectIndex> index = spec.create(ObjectSource::Manifests, this);
  for (const IndexFeed& feed : spec.feeds(ObjectSource::Manifests)) {
    forEachObject(feed.kind.group, feed.kind.kind,
                  [&](const ObjectKey& key, const nlohmann::json& object) { index->update(key, object); });
  }
  indexes_.insert_or_assign(&spec, std::move(index));
}

bool OfflineClusterState::readIndex(const IndexSpec& spec, const IndexReader& read) const {
  const auto found = indexes_.find(&spec);
  if (found == indexes_.end()) {
    return false;
  }
  read(*found->second);
  return true;
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

Result<std::unique_ptr<ClusterState>> loadOfflineClusterState(const std::vector<std::string>& paths,
                                                              const std::vector<const IndexSpec*>& indexes) {
  Result<std::vector<Manifest>> manifests = loadManifests(paths, std::cin, LoadOptions{.lenient = true});
  if (!manifests) {
    return Error{manifests.error()};
  }
  return std::unique_ptr<ClusterState>(std::make_unique<OfflineClusterState>(*manifests, indexes));
}

}  // namespace meshward::cluster
