#include "webhook/cluster/namespace_info.h"

#include <string>

#include "webhook/common/json_fields.h"

namespace meshward::cluster {
namespace {

std::map<std::string, std::string, std::less<>> stringMap(const nlohmann::json* metadata, std::string_view field) {
  std::map<std::string, std::string, std::less<>> result;
  const nlohmann::json* entries = meshward::objectMember(metadata, field);
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

}  // namespace

NamespaceInfo namespaceInfoOf(std::string_view name, const nlohmann::json& namespace_object) {
  NamespaceInfo info;
  info.name = std::string(name);
  const nlohmann::json* metadata = meshward::objectMember(&namespace_object, "metadata");
  info.labels = stringMap(metadata, "labels");
  info.annotations = stringMap(metadata, "annotations");
  return info;
}

}  // namespace meshward::cluster
