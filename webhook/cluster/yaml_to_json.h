#pragma once
// Turns a parsed YAML node into the JSON the API server would see: plain scalars typed by the
// YAML 1.2 core schema, quoted scalars kept as strings, explicit tags (!!str, !!int...) honoured,
// aliases expanded, with limits on depth and size so hostile input becomes an error value.

#include <cstddef>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "webhook/common/result.h"

namespace meshward::cluster {

struct YamlConversionLimits {
  int max_depth = 200;               // nested mappings/sequences, the root counting as 1
  std::size_t max_values = 1000000;  // every value after alias expansion (stops alias bombs)
};

// Errors start with the 1-based "line:column: " of the offending node.
Result<nlohmann::json> yamlToJson(const YAML::Node& node, const YamlConversionLimits& limits = {});

}  // namespace meshward::cluster
