#pragma once
// One page of a paginated LIST answer ({"kind":"PodList","metadata":{"resourceVersion":...,
// "continue":...},"items":[...]}): its items, trimmed for the cache as they are taken out, and
// where the list stands.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/requirements.h"
#include "webhook/common/result.h"

namespace meshward::cluster::kube {

struct ListPage {
  std::vector<nlohmann::json> items;  // trimmed, with apiVersion and kind set
  std::string resource_version;       // the list's resourceVersion: where a watch continues
  std::string continue_token;         // "" on the last page
};

// `api_version` is what the items are stamped with ("networking.istio.io/v1").
Result<ListPage> parseListPage(std::string_view body, const KindRequirement& requirement, std::string_view api_version);

}  // namespace meshward::cluster::kube
