#pragma once
// The cluster as a set of manifests (`meshward check`, `serve --cluster-state DIR`): every object
// indexed by (group, kind, namespace, name), immutable once built, so safe from any thread.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/index.h"
#include "webhook/cluster/manifest_loader.h"
#include "webhook/cluster/object_key.h"
#include "webhook/common/result.h"

namespace meshward::cluster {

class OfflineClusterState : public ClusterState {
 public:
  // Objects without apiVersion, kind or metadata.name are not indexed; a later manifest replaces
  // an earlier one with the same key (so objects under check win over --cluster-state). Builds
  // each index of `indexes` from the manifests (ObjectSource::Manifests).
  OfflineClusterState(const std::vector<Manifest>& manifests, const std::vector<const IndexSpec*>& indexes);

  bool available() const override { return true; }
  bool ready() const override { return true; }
  std::optional<NamespaceInfo> findNamespace(std::string_view name) const override;

  // The manifests are the whole cluster: every kind is tracked, and what they lack does not exist.
  bool tracksKind(std::string_view, std::string_view) const override { return true; }
  std::shared_ptr<const nlohmann::json> findObject(std::string_view group, std::string_view kind,
                                                   std::string_view namespace_name,
                                                   std::string_view name) const override;
  void forEachObject(std::string_view group, std::string_view kind, const ObjectVisitor& visit) const override;
  void forEachObjectInNamespace(std::string_view group, std::string_view kind, std::string_view namespace_name,
                                const ObjectVisitor& visit) const override;
  bool readIndex(const IndexSpec& spec, const IndexReader& read) const override;

  size_t objectCount() const { return objects_.size(); }

 private:
  // Visits entries from `first` while they have its group and kind (and namespace, if `within_namespace`).
  void forEachFrom(const ObjectKey& first, bool within_namespace, const ObjectVisitor& visit) const;
  void buildIndex(const IndexSpec& spec);

  std::map<ObjectKey, std::shared_ptr<const nlohmann::json>> objects_;
  std::map<const IndexSpec*, std::unique_ptr<ObjectIndex>> indexes_;
};

// Loads manifests leniently (kustomize patches and other non-objects are skipped) and indexes them.
Result<std::unique_ptr<ClusterState>> loadOfflineClusterState(const std::vector<std::string>& paths,
                                                              const std::vector<const IndexSpec*>& indexes);

}  // namespace meshward::cluster
