#pragma once
// What the make-before-break rules share: how a message names the VirtualServices that still
// reference an object.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policies/rule.h"

namespace meshward::policies {

// How many VirtualServices a message names before "and N more".
inline constexpr std::size_t kVirtualServicesNamed = 5;

// The name of the object a request is about: the request's, else the object's metadata.name.
std::string requestObjectName(const RequestFacts& request, const nlohmann::json& object);

// "a, b, c" for at most kVirtualServicesNamed entries, then "a, b, c, d, e and 3 more".
std::string firstFew(const std::vector<std::string>& entries);

// "1 VirtualService", "3 VirtualServices".
std::string countOfVirtualServices(std::size_t count);

}  // namespace meshward::policies
