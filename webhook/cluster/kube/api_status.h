#pragma once
// What the API server says about a failed request: the HTTP status and, when the body is a
// metav1.Status ({"kind":"Status","reason":"Expired","message":...,"code":410}), its reason
// and message, in one line for logs and errors.

#include <string>

#include <nlohmann/json.hpp>

#include "webhook/cluster/kube/api_client.h"

namespace meshward::cluster::kube {

inline constexpr int kGone = 410;  // a resourceVersion or continue token too old: list again

// "HTTP 403 (Forbidden): pods is forbidden: User ... cannot list ...".
std::string describeFailure(const ApiResponse& response);

// "Expired: too old resource version: 5 (10)" for a Status object; its code in `code` (0 when absent).
std::string describeStatus(const nlohmann::json& status, int& code);

}  // namespace meshward::cluster::kube
