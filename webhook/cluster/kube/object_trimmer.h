#pragma once
// What the cache keeps of an object from the API server: only the fields the rules and indexes
// declare they read (KindRequirement::fields), so a cluster of 50,000 pods fits in little memory.

#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/cluster/requirements.h"

namespace meshward::cluster::kube {

// The trimmed object, with apiVersion and kind set (LIST items come without them) and metadata
// always an object.
nlohmann::json trimObject(const KindRequirement& requirement, std::string_view api_version, nlohmann::json&& object);

}  // namespace meshward::cluster::kube
