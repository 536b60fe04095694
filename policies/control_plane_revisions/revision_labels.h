#pragma once
// The string labels of an object's metadata (a workload's: of its pod template), as the
// revision rules read them.

#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"

namespace meshward::policies {

cluster::Labels labelsAt(const nlohmann::json* metadata);

// The labels that decide what the injector does for `object`: a Namespace's own, a Pod's, a
// workload's pod template's.
cluster::Labels injectionLabels(std::string_view kind, const nlohmann::json& object);

}  // namespace meshward::policies
