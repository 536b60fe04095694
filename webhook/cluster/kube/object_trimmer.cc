#include "webhook/cluster/kube/object_trimmer.h"

#include <string>

namespace meshward::cluster::kube {

nlohmann::json trimObject(const KindRequirement& requirement, std::string_view api_version, nlohmann::json&& object) {
  nlohmann::json kept = object.is_object() ? requirement.fields.trim(std::move(object)) : nlohmann::json::object();
  kept["apiVersion"] = std::string(api_version);
  kept["kind"] = std::string(requirement.kind.kind);
  if (auto metadata = kept.find("metadata"); metadata == kept.end() || !metadata->is_object()) {
    kept["metadata"] = nlohmann::json::object();
  }
  return kept;
}

}  // namespace meshward::cluster::kube
