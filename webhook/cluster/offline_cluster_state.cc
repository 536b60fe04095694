#include "webhook/cluster/offline_cluster_state.h"

#include <iostream>
#include <utility>

#include "policies/common/json_fields.h"

namespace meshward::cluster {
namespace {

// Labels and annotations are strings in Kubernetes; a YAML scalar such as `enabled: true` is kept
// as its text, anything else is dropped.
std::map<std::string, std::string, std::less<>> stringMap(const nlohmann::json* metadata, std::string_view field) {
  std::map<std::string, std::string, std::less<>> result;
  const nlohmann::json* entries = policies::objectMember(metadata, field);
  if (entries == nullptr) {
    return result;
  }
  for (const auto& [key, value] : entries->items()) {
    if (value.is_string()) {
      result.emplace(key, value.get<std::string>());
    } else if (value.is_primitive() && !value.is_null()) {
      result.emplace(key, value.dump());
    }
  }
  return result;
}

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
    objects_.insert_or_assign(std::move(*key), manifest.object);
  }
}

std::optional<NamespaceInfo> OfflineClusterState::findNamespace(std::string_view name) const {
  const nlohmann::json* object = findObject("", "Namespace", "", name);
  if (object == nullptr) {
    return std::nullopt;
  }
  NamespaceInfo info;
  info.name = std::string(name);
  const nlohmann::json* metadata = policies::objectMember(object, "metadata");
  info.labels = stringMap(metadata, "labels");
  info.annotations = stringMap(metadata, "annotations");
  return info;
}

const nlohmann::json* OfflineClusterState::findObject(std::string_view group, std::string_view kind,
                                                      std::string_view namespace_name, std::string_view name) const {
  const auto found = objects_.find(
      ObjectKey{std::string(group), std::string(kind), std::string(namespace_name), std::string(name)});
  return found == objects_.end() ? nullptr : &found->second;
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
    visit(entry->first, entry->second);
  }
}

Result<std::unique_ptr<ClusterState>> loadOfflineClusterState(const std::vector<std::string>& paths) {
  Result<std::vector<Manifest>> manifests = loadManifests(paths, std::cin, LoadOptions{.lenient = true});
  if (!manifests) {
    return Error{manifests.error()};
  }
  return std::unique_ptr<ClusterState>(std::make_unique<OfflineClusterState>(*manifests));
}

}  // namespace meshward::cluster
