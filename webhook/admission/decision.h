#pragma once
// What the engine decided about one admission request: the answer for the API server and
// everything the audit log and metrics record about it.

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policies/finding.h"

namespace meshward::admission {

struct BreakGlassRecord {
  std::string user;
  std::string reason;
  std::vector<policies::Finding> bypassed;
  std::chrono::system_clock::time_point expires{};  // after this, the label no longer bypasses
};

// A rule that failed on the request (its finding, MW0004, is among the findings).
struct RuleError {
  std::string rule;
  std::string what;
};

struct Decision {
  bool allowed = true;
  int status_code = 200;        // 403 when denied
  std::string status_reason;    // "Forbidden" when denied
  std::string message;          // every denying finding as "[rule-id] message", one per line
  std::vector<std::string> warnings;  // each at most 120 characters
  std::vector<policies::Finding> findings;      // everything every rule reported
  std::vector<policies::PatchOperation> patch;  // empty when nothing to change
  std::vector<std::pair<std::string, std::string>> audit_annotations;
  std::optional<BreakGlassRecord> break_glass;
  bool namespace_ignored = false;
  std::vector<RuleError> rule_errors;

  // The patch as an RFC 6902 document; an empty array when there is no patch.
  nlohmann::json patchDocument() const;
};

}  // namespace meshward::admission
