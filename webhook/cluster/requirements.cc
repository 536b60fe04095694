#include "webhook/cluster/requirements.h"

namespace meshward::cluster {

const KindRequirement* ClusterRequirements::find(std::string_view group, std::string_view kind) const {
  for (const KindRequirement& requirement : kinds) {
    if (requirement.kind.sameKind(group, kind)) {
      return &requirement;
    }
  }
  return nullptr;
}

const std::vector<std::string_view>& alwaysKeptFields() {
  static const std::vector<std::string_view> fields = {"/apiVersion", "/kind", "/metadata/name",
                                                       "/metadata/namespace"};
  return fields;
}

}  // namespace meshward::cluster
