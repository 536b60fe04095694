#pragma once
// Which audit records `meshward audit` keeps: every condition that is set must hold.

#include <chrono>
#include <optional>
#include <string>

#include "webhook/audit/audit_reader.h"

namespace meshward::audit {

struct AuditFilter {
  std::optional<std::chrono::system_clock::time_point> not_before;  // --since, resolved against now
  std::optional<std::string> user;                                  // exact match
  std::optional<std::string> rule;  // a finding or a bypassed finding of this rule id
  std::optional<bool> allowed;      // --decision
  bool break_glass_only = false;

  bool matches(const AuditEntry& entry) const;
};

}  // namespace meshward::audit
