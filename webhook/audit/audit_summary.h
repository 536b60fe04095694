#pragma once
// The totals `meshward audit` prints after the records: decisions overall, per rule and per
// user, and every break-glass bypass with its age (older than a day: reconcile with Git).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/audit/audit_reader.h"

namespace meshward::audit {

// Counted once per record in which the rule appears.
struct RuleCounts {
  std::size_t fired = 0;     // the rule reported a finding or was bypassed
  std::size_t allowed = 0;   // ... and the request was allowed
  std::size_t denied = 0;    // the request was denied and this rule had a deny finding
  std::size_t warned = 0;    // the rule had a warn finding
  std::size_t bypassed = 0;  // a break-glass bypassed the rule
};

struct UserCounts {
  std::size_t total = 0;
  std::size_t allowed = 0;
  std::size_t denied = 0;
};

struct BreakGlassUse {
  std::chrono::system_clock::time_point time;
  std::string time_text;
  std::string uid;
  std::string user;
  std::string reason;
  std::string operation;
  std::string kind;
  std::string namespace_name;
  std::string name;
  std::vector<AuditFindingEntry> bypassed;
  std::optional<std::chrono::system_clock::time_point> expires;  // none in records before expiry existed
  std::string expires_text;
};

// A bypass older than this left the cluster differing from what Git would allow for too long.
inline constexpr std::chrono::hours kReconcileWithGitAfter{24};

// Whole seconds from `time` to `now`; negative for a record from the future.
std::int64_t ageSeconds(std::chrono::system_clock::time_point time, std::chrono::system_clock::time_point now);
bool needsReconcileWithGit(std::int64_t age_seconds);

class AuditSummary {
 public:
  void add(const AuditEntry& entry);
  void addSkippedLine() { ++skipped_lines_; }

  std::size_t total() const { return allowed_ + denied_; }
  std::size_t allowed() const { return allowed_; }
  std::size_t denied() const { return denied_; }
  std::size_t skippedLines() const { return skipped_lines_; }
  const std::map<std::string, RuleCounts>& byRule() const { return by_rule_; }
  const std::map<std::string, UserCounts>& byUser() const { return by_user_; }
  const std::vector<BreakGlassUse>& breakGlass() const { return break_glass_; }

  // Most denied first, then most requests, then by name.
  std::vector<std::pair<std::string, UserCounts>> topUsers(std::size_t limit) const;

  // {"total", "allowed", "denied", "skippedLines", "byRule": {rule: counts}, "byUser": {user:
  // counts}, "breakGlass": [{..., "expires", "expired", "ageSeconds", "reconcileWithGit"}]}
  nlohmann::json toJson(std::chrono::system_clock::time_point now) const;

 private:
  std::size_t allowed_ = 0;
  std::size_t denied_ = 0;
  std::size_t skipped_lines_ = 0;
  std::map<std::string, RuleCounts> by_rule_;
  std::map<std::string, UserCounts> by_user_;
  std::vector<BreakGlassUse> break_glass_;
};

}  // namespace meshward::audit
