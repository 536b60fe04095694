#pragma once
// The cluster as a set of manifests (`meshward check`, `serve --cluster-state DIR`): every object
// indexed by (group, kind, namespace, name), immutable once built, so safe from any thread.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/manifest_loader.h"
#include "webhook/cluster/object_key.h"
#include "webhook/common/result.h"

namespace meshward::cluster {

class OfflineClusterState final : public ClusterState {
 public:
  using ObjectVisitor = std::function<void(const ObjectKey&, const nlohmann::json&)>;

  // Objects without apiVersion, kind or metadata.name are not indexed; a later manifest replaces
  // an earlier one with the same key (so objects under check win over --cluster-state).
  explicit OfflineClusterState(const std::vector<Manifest>& manifests);

  bool available() const override { return true; }
  bool ready() const override { return true; }
  std::optional<NamespaceInfo> findNamespace(std::string_view name) const override;

  // nullptr when absent; `namespace_name` is "" for cluster-scoped kinds.
  const nlohmann::json* findObject(std::string_view group, std::string_view kind, std::string_view namespace_name,
                                   std::string_view name) const;

  // Every object of a kind in all namespaces, ordered by (namespace, name).
  void forEachObject(std::string_view group, std::string_view kind, const ObjectVisitor& visit) const;

  // Every object of a kind in one namespace, ordered by name.
  void forEachObjectInNamespace(std::string_view group, std::string_view kind, std::string_view namespace_name,
                                const ObjectVisitor& visit) const;

  size_t objectCount() const { return objects_.size(); }

 private:
  // Visits entries from `first` while they have its group and kind (and namespace, if `within_namespace`).
  void forEachFrom(const ObjectKey& first, bool within_namespace, const ObjectVisitor& visit) const;

  std::map<ObjectKey, nlohmann::json> objects_;
};

// Loads manifests leniently (kustomize patches and other non-objects are skipped) and indexes them.
Result<std::unique_ptr<ClusterState>> loadOfflineClusterState(const std::vector<std::string>& paths);

}  // namespace meshward::cluster
