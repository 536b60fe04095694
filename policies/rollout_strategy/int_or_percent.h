#pragma once
// Kubernetes IntOrString values of a rolling update (maxUnavailable, maxSurge): 0, 1, "25%".

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace meshward::policies {

// The JSON a Deployment holds for `text`: "1" becomes 1 and "25%" stays "25%"; nullopt when the
// text is neither a non-negative integer nor a percentage.
std::optional<nlohmann::json> parseIntOrPercent(std::string_view text);

// True for 0 and "0%" (a Deployment may not have both maxSurge and maxUnavailable at zero).
bool isZeroIntOrPercent(const nlohmann::json& value);

}  // namespace meshward::policies
