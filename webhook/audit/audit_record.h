#pragma once
// One audit record per admission decision, as one JSON object (one line in the log).
// Fields: time (RFC 3339, ms, UTC), uid, webhook, operation, dryRun, user, groups, resource
// {group, version, kind}, namespace, name, decision ("allowed"|"denied"), findings [{rule,
// code, action, message}], mutations [{rule, op, path}], breakGlass {user, reason, expires
// (RFC 3339), bypassed [{rule, code, message}]} or null, latencyMicros, policyHash.

#include <chrono>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/common/rfc3339.h"
#include "webhook/admission/admission_review.h"
#include "webhook/admission/decision.h"

namespace meshward::audit {

// The record as its line of JSON (no newline), written without building a tree; names holding
// bytes that are not UTF-8 are written with U+FFFD in their place, so the line stays valid JSON.
std::string auditLine(const admission::AdmissionRequest& request, const admission::Decision& decision,
                      std::string_view webhook, std::chrono::system_clock::time_point time,
                      std::int64_t latency_micros, std::string_view policy_hash);


}  // namespace meshward::audit
