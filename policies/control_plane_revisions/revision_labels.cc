#include "policies/control_plane_revisions/revision_labels.h"

#include <optional>

#include "policies/common/workload.h"
#include "webhook/common/json_fields.h"

namespace meshward::policies {

cluster::Labels labelsAt(const nlohmann::json* metadata) {
  cluster::Labels labels;
  const nlohmann::json* entries = objectMember(metadata, "labels");
  if (entries == nullptr) {
    return labels;
  }
  for (const auto& [key, value] : entries->items()) {
    if (value.is_string()) {
      labels.emplace(key, value.get<std::string>());
    }
  }
  return labels;
}

cluster::Labels injectionLabels(std::string_view kind, const nlohmann::json& object) {
  if (kind == "Namespace") {
    return labelsAt(objectMember(&object, "metadata"));
  }
  const std::optional<PodTemplate> pod = findPodTemplate(kind, object);
  return pod ? labelsAt(pod->metadata) : cluster::Labels();
}

}  // namespace meshward::policies
