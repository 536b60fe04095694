#include "webhook/cluster/kube/api_discovery.h"

#include <algorithm>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/common/json_fields.h"
#include "webhook/cluster/kube/api_status.h"

namespace meshward::cluster::kube {
namespace {

using meshward::arrayMember;
using meshward::objectMember;
using meshward::stringMember;

constexpr int kNotFound = 404;

Result<std::optional<nlohmann::json>> getDocument(const ApiClient& client, const std::string& path,
                                                  std::chrono::milliseconds timeout) {
  Result<ApiResponse> response = client.get(path, timeout);
  if (!response) {
    return Error{response.error()};
  }
  if (response->status == kNotFound) {
    return std::optional<nlohmann::json>();
  }
  if (!response->ok()) {
    return Error{"GET " + path + ": " + describeFailure(*response)};
  }
  nlohmann::json document = nlohmann::json::parse(response->body, nullptr, false);
  if (!document.is_object()) {
    return Error{"GET " + path + ": the answer is not a JSON object"};
  }
  return std::optional<nlohmann::json>(std::move(document));
}

// The group's versions, preferred first.
std::vector<std::string> candidateVersions(const nlohmann::json& api_group) {
  std::vector<std::string> versions;
  if (const auto preferred = stringMember(objectMember(&api_group, "preferredVersion"), "version")) {
    versions.emplace_back(*preferred);
  }
  if (const nlohmann::json* listed = arrayMember(&api_group, "versions")) {
    for (const nlohmann::json& entry : *listed) {
      const auto version = stringMember(&entry, "version");
      if (version && std::find(versions.begin(), versions.end(), *version) == versions.end()) {
        versions.emplace_back(*version);
      }
    }
  }
  return versions;
}

bool listsResource(const nlohmann::json& resource_list, std::string_view resource) {
  const nlohmann::json* resources = arrayMember(&resource_list, "resources");
  if (resources == nullptr) {
    return false;
  }
  for (const nlohmann::json& entry : *resources) {
    if (stringMember(&entry, "name") == resource) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::optional<std::string>> discoverServedVersion(const ApiClient& client, std::string_view group,
                                                         std::string_view resource, std::chrono::milliseconds timeout) {
  const std::string group_path = "/apis/" + std::string(group);
  Result<std::optional<nlohmann::json>> api_group = getDocument(client, group_path, timeout);
  if (!api_group) {
    return Error{api_group.error()};
  }
  if (!*api_group) {
    return std::optional<std::string>();
  }
  for (const std::string& version : candidateVersions(**api_group)) {
    Result<std::optional<nlohmann::json>> resources = getDocument(client, group_path + "/" + version, timeout);
    if (!resources) {
      return Error{resources.error()};
    }
    if (*resources && listsResource(**resources, resource)) {
      return std::optional<std::string>(version);
    }
  }
  return std::optional<std::string>();
}

}  // namespace meshward::cluster::kube
