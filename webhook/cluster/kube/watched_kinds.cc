#include "webhook/cluster/kube/watched_kinds.h"

namespace meshward::cluster::kube {

std::string collectionPath(const WatchedKind& kind, std::string_view version) {
  if (kind.group.empty()) {
    return "/api/" + std::string(version) + "/" + std::string(kind.resource);
  }
  return "/apis/" + std::string(kind.group) + "/" + std::string(version) + "/" + std::string(kind.resource);
}

std::string apiVersionOf(const WatchedKind& kind, std::string_view version) {
  return kind.group.empty() ? std::string(version) : std::string(kind.group) + "/" + std::string(version);
}

}  // namespace meshward::cluster::kube
