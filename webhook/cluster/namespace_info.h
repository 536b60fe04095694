#pragma once
// A Namespace object as rules see it: its name and its string labels and annotations.

#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"

namespace meshward::cluster {

// Labels and annotations are strings in Kubernetes; a YAML scalar such as `enabled: true` is
// kept as its text, anything else is dropped.
NamespaceInfo namespaceInfoOf(std::string_view name, const nlohmann::json& namespace_object);

}  // namespace meshward::cluster
