#include "webhook/cluster/kube/list_page.h"

#include "webhook/common/json_fields.h"
#include "webhook/cluster/kube/object_trimmer.h"

namespace meshward::cluster::kube {

Result<ListPage> parseListPage(std::string_view body, const KindRequirement& requirement, std::string_view api_version) {
  nlohmann::json document = nlohmann::json::parse(body, nullptr, false);
  if (!document.is_object()) {
    return Error{"the LIST answer is not a JSON object"};
  }
  ListPage page;
  const nlohmann::json* metadata = meshward::objectMember(&document, "metadata");
  page.resource_version = std::string(meshward::stringMember(metadata, "resourceVersion").value_or(""));
  page.continue_token = std::string(meshward::stringMember(metadata, "continue").value_or(""));
  if (page.resource_version.empty()) {
    return Error{"the LIST answer has no metadata.resourceVersion"};
  }
  auto items = document.find("items");
  if (items == document.end() || items->is_null()) {
    return page;
  }
  if (!items->is_array()) {
    return Error{"the LIST answer's items is not a list"};
  }
  page.items.reserve(items->size());
  for (nlohmann::json& item : *items) {
    page.items.push_back(trimObject(requirement, api_version, std::move(item)));
  }
  return page;
}

}  // namespace meshward::cluster::kube
