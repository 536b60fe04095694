#include "webhook/audit/audit_filter.h"

#include <algorithm>

namespace meshward::audit {
namespace {

bool mentionsRule(const AuditEntry& entry, const std::string& rule) {
  const auto is_rule = [&](const AuditFindingEntry& finding) { return finding.rule == rule; };
  if (std::any_of(entry.findings.begin(), entry.findings.end(), is_rule)) {
    return true;
  }
  return entry.break_glass &&
         std::any_of(entry.break_glass->bypassed.begin(), entry.break_glass->bypassed.end(), is_rule);
}

}  // namespace

bool AuditFilter::matches(const AuditEntry& entry) const {
  if (not_before && entry.time < *not_before) {
    return false;
  }
  if (user && entry.user != *user) {
    return false;
  }
  if (rule && !mentionsRule(entry, *rule)) {
    return false;
  }
  if (allowed && entry.allowed != *allowed) {
    return false;
  }
  if (break_glass_only && !entry.break_glass) {
    return false;
  }
  return true;
}

}  // namespace meshward::audit
