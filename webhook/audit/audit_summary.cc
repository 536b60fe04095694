#include "webhook/audit/audit_summary.h"

#include <algorithm>
#include <set>

namespace meshward::audit {
namespace {

using nlohmann::json;

bool hasFinding(const AuditEntry& entry, const std::string& rule, std::string_view action) {
  return std::any_of(entry.findings.begin(), entry.findings.end(), [&](const AuditFindingEntry& finding) {
    return finding.rule == rule && finding.action == action;
  });
}

std::set<std::string> bypassedRules(const AuditEntry& entry) {
  std::set<std::string> rules;
  if (entry.break_glass) {
    for (const AuditFindingEntry& finding : entry.break_glass->bypassed) {
      rules.insert(finding.rule);
    }
  }
  return rules;
}

json ruleCountsJson(const RuleCounts& counts) {
  return {{"fired", counts.fired},
          {"allowed", counts.allowed},
          {"denied", counts.denied},
          {"warned", counts.warned},
          {"bypassed", counts.bypassed}};
}

json userCountsJson(const UserCounts& counts) {
  return {{"total", counts.total}, {"allowed", counts.allowed}, {"denied", counts.denied}};
}

json breakGlassJson(const BreakGlassUse& use, std::chrono::system_clock::time_point now) {
  json bypassed = json::array();
  for (const AuditFindingEntry& finding : use.bypassed) {
    bypassed.push_back({{"rule", finding.rule}, {"code", finding.code}, {"message", finding.message}});
  }
  const std::int64_t age = ageSeconds(use.time, now);
  return {{"time", use.time_text},
          {"uid", use.uid},
          {"user", use.user},
          {"reason", use.reason},
          {"operation", use.operation},
          {"kind", use.kind},
          {"namespace", use.namespace_name},
          {"name", use.name},
          {"bypassed", std::move(bypassed)},
          {"expires", use.expires ? json(use.expires_text) : json(nullptr)},
          {"expired", use.expires.has_value() && *use.expires <= now},
          {"ageSeconds", age},
          {"reconcileWithGit", needsReconcileWithGit(age)}};
}

}  // namespace

std::int64_t ageSeconds(std::chrono::system_clock::time_point time, std::chrono::system_clock::time_point now) {
  using std::chrono::floor;
  using std::chrono::seconds;
  return (floor<seconds>(now) - floor<seconds>(time)).count();
}

bool needsReconcileWithGit(std::int64_t age_seconds) {
  return age_seconds > std::chrono::duration_cast<std::chrono::seconds>(kReconcileWithGitAfter).count();
}

void AuditSummary::add(const AuditEntry& entry) {
  if (entry.allowed) {
    ++allowed_;
  } else {
    ++denied_;
  }
  UserCounts& user = by_user_[entry.user];
  ++user.total;
  ++(entry.allowed ? user.allowed : user.denied);

  const std::set<std::string> bypassed = bypassedRules(entry);
  std::set<std::string> rules = bypassed;
  for (const AuditFindingEntry& finding : entry.findings) {
    rules.insert(finding.rule);
  }
  for (const std::string& rule : rules) {
    RuleCounts& counts = by_rule_[rule];
    ++counts.fired;
    if (entry.allowed) {
      ++counts.allowed;
    } else if (hasFinding(entry, rule, "deny")) {
      ++counts.denied;
    }
    if (hasFinding(entry, rule, "warn")) {
      ++counts.warned;
    }
    if (bypassed.count(rule) != 0) {
      ++counts.bypassed;
    }
  }

  if (entry.break_glass) {
    break_glass_.push_back({entry.time, entry.time_text, entry.uid, entry.break_glass->user, entry.break_glass->reason,
                            entry.operation, entry.kind, entry.namespace_name, entry.name,
                            entry.break_glass->bypassed, entry.break_glass->expires,
                            entry.break_glass->expires_text});
  }
}

std::vector<std::pair<std::string, UserCounts>> AuditSummary::topUsers(std::size_t limit) const {
  std::vector<std::pair<std::string, UserCounts>> users(by_user_.begin(), by_user_.end());
  std::sort(users.begin(), users.end(), [](const auto& left, const auto& right) {
    if (left.second.denied != right.second.denied) {
      return left.second.denied > right.second.denied;
    }
    if (left.second.total != right.second.total) {
      return left.second.total > right.second.total;
    }
    return left.first < right.first;
  });
  if (users.size() > limit) {
    users.resize(limit);
  }
  return users;
}

json AuditSummary::toJson(std::chrono::system_clock::time_point now) const {
  json by_rule = json::object();
  for (const auto& [rule, counts] : by_rule_) {
    by_rule[rule] = ruleCountsJson(counts);
  }
  json by_user = json::object();
  for (const auto& [user, counts] : by_user_) {
    by_user[user] = userCountsJson(counts);
  }
  json break_glass = json::array();
  for (const BreakGlassUse& use : break_glass_) {
    break_glass.push_back(breakGlassJson(use, now));
  }
  return {{"total", total()},
          {"allowed", allowed_},
          {"denied", denied_},
          {"skippedLines", skipped_lines_},
          {"byRule", std::move(by_rule)},
          {"byUser", std::move(by_user)},
          {"breakGlass", std::move(break_glass)}};
}

}  // namespace meshward::audit
