#pragma once
// The admission request `meshward check` evaluates for one manifest: a CREATE of the object by
// an anonymous user, exactly as the API server would send it to the webhook.

#include <string_view>

#include "webhook/admission/admission_review.h"
#include "webhook/cluster/object_key.h"

namespace meshward::cli {

inline constexpr std::string_view kCheckUser = "system:anonymous";
inline constexpr std::string_view kCheckGroup = "system:unauthenticated";

// `key` is the object's identity (objectKeyOf); `uid` tells requests apart.
admission::AdmissionRequest checkRequestFor(const nlohmann::json& object, const cluster::ObjectKey& key,
                                            std::string uid);

// The plural resource of a kind: from the rules that name the kind, else the usual English plural.
std::string resourceFor(std::string_view group, std::string_view kind);

}  // namespace meshward::cli
