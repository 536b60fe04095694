#pragma once
// The AdmissionReview codec: admission.k8s.io/v1 and v1beta1 in, the same version out.
// Decoding validates every field the engine reads and turns anything malformed into an
// error value (the server answers it with HTTP 400); it never throws.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "policies/rule.h"
#include "webhook/admission/decision.h"
#include "webhook/common/result.h"

namespace meshward::admission {

struct AdmissionRequest {
  std::string api_version;  // "admission.k8s.io/v1" or "admission.k8s.io/v1beta1"
  std::string uid;
  std::string resource;     // plural resource, e.g. "pods"
  std::string sub_resource;
  policies::RequestFacts facts;
  nlohmann::json object;      // null when absent
  nlohmann::json old_object;  // null when absent
};

// Parses a request body. Rejects bodies nested deeper than kMaxJsonDepth before parsing.
Result<AdmissionRequest> decodeAdmissionReview(std::string_view body);

// The apiVersions and operations decodeAdmissionReview accepts.
bool isAdmissionApiVersion(std::string_view api_version);
bool isAdmissionOperation(std::string_view operation);

// The AdmissionReview response body for a decision, in the request's apiVersion.
std::string encodeAdmissionResponse(const AdmissionRequest& request, const Decision& decision);

inline constexpr int kMaxJsonDepth = 200;

}  // namespace meshward::admission
