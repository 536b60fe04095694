#pragma once
// Which version of an API group serves a resource, asked of the API server the way kubectl
// asks: GET /apis/{group} (APIGroup: its versions and the preferred one), then
// GET /apis/{group}/{version} (APIResourceList) until a version lists the resource. The
// preferred version wins when it serves the resource.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "webhook/cluster/kube/api_client.h"
#include "webhook/common/result.h"

namespace meshward::cluster::kube {

// The version, nullopt when the group or the resource is not served (its CRD is not
// installed), an error when the API server could not be asked.
Result<std::optional<std::string>> discoverServedVersion(const ApiClient& client, std::string_view group,
                                                         std::string_view resource, std::chrono::milliseconds timeout);

}  // namespace meshward::cluster::kube
