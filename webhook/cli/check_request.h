#pragma once
// The admission request `meshward check` evaluates for one manifest: a CREATE of the object by
// an anonymous user (or the user --as names), exactly as the API server would send it to the webhook.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/admission/admission_review.h"
#include "webhook/cluster/object_key.h"

namespace meshward::cli {

inline constexpr std::string_view kCheckUser = "system:anonymous";
inline constexpr std::string_view kCheckGroup = "system:unauthenticated";

// Who applies the manifests, and when (--as, --as-group, --now).
struct CheckRequester {
  std::string user = std::string(kCheckUser);
  std::vector<std::string> groups = {std::string(kCheckGroup)};
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// `key` is the object's identity (objectKeyOf); `uid` tells requests apart.
admission::AdmissionRequest checkRequestFor(const nlohmann::json& object, const cluster::ObjectKey& key,
                                            std::string uid, const CheckRequester& requester = {});

// The plural resource of a kind: from the rules that name the kind, else the usual English plural.
std::string resourceFor(std::string_view group, std::string_view kind);

}  // namespace meshward::cli
