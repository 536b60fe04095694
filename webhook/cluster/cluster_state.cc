#include "webhook/cluster/cluster_state.h"

namespace meshward::cluster {

bool ClusterState::tracksKind(std::string_view, std::string_view) const { return false; }

std::shared_ptr<const nlohmann::json> ClusterState::findObject(std::string_view, std::string_view, std::string_view,
                                                               std::string_view) const {
  return nullptr;
}

void ClusterState::forEachObject(std::string_view, std::string_view, const ObjectVisitor&) const {}

void ClusterState::forEachObjectInNamespace(std::string_view, std::string_view, std::string_view,
                                            const ObjectVisitor&) const {}

bool ClusterState::readIndex(const IndexSpec&, const IndexReader&) const { return false; }

}  // namespace meshward::cluster
