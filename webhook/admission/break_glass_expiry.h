#pragma once
// How long a break-glass bypass holds. An RFC 3339 time in meshward.dev/break-glass-expires holds
// until then (at most breakGlass.maxDuration ahead of the request); a duration ("4h") counts
// from the object's creation (from the request on a CREATE the API server has not stamped yet)
// and may not exceed maxDuration. Without the annotation, a label the request adds holds for
// maxDuration from now, and a label carried over from the object's previous version holds for
// maxDuration from the object's creation: a stale label left on an old object no longer bypasses.

#include <chrono>

#include "policies/policy.h"
#include "webhook/admission/admission_review.h"
#include "webhook/common/result.h"

namespace meshward::admission {

// The instant the bypass ends, or the message saying why it is not honoured (request.facts.now
// is the time of the request).
Result<std::chrono::system_clock::time_point> breakGlassExpiry(const AdmissionRequest& request,
                                                               const policies::BreakGlassSettings& settings);

}  // namespace meshward::admission
