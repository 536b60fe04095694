#pragma once
// Reading the string values of a namespace's labels and annotations.

#include <optional>
#include <string_view>

#include "webhook/cluster/cluster_state.h"

namespace meshward::policies {

inline std::optional<std::string_view> valueOf(const cluster::Labels& values, std::string_view key) {
  const auto found = values.find(key);
  if (found == values.end()) {
    return std::nullopt;
  }
  return std::string_view(found->second);
}

}  // namespace meshward::policies
