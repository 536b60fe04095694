#include "webhook/audit/audit_text.h"
#include "webhook/common/join.h"

#include <set>
#include <utility>
#include <vector>

namespace meshward::audit {
namespace {

constexpr std::size_t kTopUsers = 10;

std::string objectName(std::string_view kind, std::string_view namespace_name, std::string_view name) {
  std::string text = printable(kind) + " ";
  if (!namespace_name.empty()) {
    text += printable(namespace_name) + "/";
  }
  return text + printable(name);
}

std::string firedRules(const AuditEntry& entry) {
  std::set<std::pair<std::string, std::string>> seen;
  std::string text;
  for (const AuditFindingEntry& finding : entry.findings) {
    if (!seen.emplace(finding.rule, finding.action).second) {
      continue;
    }
    if (!text.empty()) {
      text += ",";
    }
    text += printable(finding.rule) + "(" + printable(finding.action) + ")";
  }
  return text.empty() ? "-" : text;
}

std::string joinBypassedRules(const BreakGlassUse& use) {
  const std::string text =
      joinStrings(use.bypassed, ", ", [](const AuditFindingEntry& finding) { return printable(finding.rule); });
  return text.empty() ? "-" : text;
}

std::string counted(std::size_t count, std::string_view noun) {
  return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) {
    text.append(width - text.size(), ' ');
  }
  return text;
}

std::string rightAligned(std::size_t number, std::size_t width) {
  std::string text = std::to_string(number);
  if (text.size() < width) {
    text.insert(0, width - text.size(), ' ');
  }
  return text;
}

void writeRuleTable(std::ostream& out, const AuditSummary& summary) {
  if (summary.byRule().empty()) {
    out << "By rule: no rule fired\n";
    return;
  }
  out << "By rule:\n";
  out << "  " << padded("RULE", 32) << "  FIRED  ALLOWED  DENIED  WARNED  BYPASSED\n";
  for (const auto& [rule, counts] : summary.byRule()) {
    out << "  " << padded(printable(rule), 32) << rightAligned(counts.fired, 7) << rightAligned(counts.allowed, 9)
        << rightAligned(counts.denied, 8) << rightAligned(counts.warned, 8) << rightAligned(counts.bypassed, 10)
        << "\n";
  }
}

void writeUserTable(std::ostream& out, const AuditSummary& summary) {
  if (summary.byUser().empty()) {
    return;
  }
  const auto users = summary.topUsers(kTopUsers);
  out << "By user (top " << users.size() << " of " << summary.byUser().size() << ", most denied first):\n";
  out << "  " << padded("USER", 48) << "  TOTAL  DENIED\n";
  for (const auto& [user, counts] : users) {
    out << "  " << padded(printable(user), 48) << rightAligned(counts.total, 7) << rightAligned(counts.denied, 8)
        << "\n";
  }
}

void writeBreakGlassList(std::ostream& out, const AuditSummary& summary, std::chrono::system_clock::time_point now) {
  out << "Break-glass bypasses: " << summary.breakGlass().size() << "\n";
  for (const BreakGlassUse& use : summary.breakGlass()) {
    const std::int64_t age = ageSeconds(use.time, now);
    out << "  " << printable(use.time_text) << " (" << formatAge(age) << ")  " << printable(use.operation) << " "
        << objectName(use.kind, use.namespace_name, use.name) << "  by " << printable(use.user) << "\n";
    out << "    bypassed: " << joinBypassedRules(use) << "\n";
    out << "    reason: " << printable(use.reason) << "\n";
    if (use.expires) {
      out << "    expires: " << printable(use.expires_text) << (*use.expires <= now ? " (expired)" : "") << "\n";
    }
    if (needsReconcileWithGit(age)) {
      out << "    ! older than 24h: reconcile with Git (the cluster differs from what Git would allow)\n";
    }
  }
}

}  // namespace

std::string printable(std::string_view text) {
  if (text.empty()) {
    return "-";
  }
  std::string result;
  result.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool c1_control = byte == 0xC2 && i + 1 < text.size() &&
                            static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                            static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    if (c1_control) {
      result += '?';
      ++i;
    } else if (byte < 0x20 || byte == 0x7F) {
      result += '?';
    } else {
      result += static_cast<char>(byte);
    }
  }
  return result;
}

std::string formatEntryLine(const AuditEntry& entry) {
  std::string line = printable(entry.time_text) + "  " + padded(entry.allowed ? "allowed" : "denied", 7) + "  " +
                     padded(printable(entry.operation), 7) + "  " +
                     objectName(entry.kind, entry.namespace_name, entry.name) + "  user=" + printable(entry.user) +
                     "  rules=" + firedRules(entry);
  if (entry.dry_run) {
    line += "  dry-run";
  }
  if (entry.break_glass) {
    line += "  BREAK-GLASS";
  }
  return line;
}

std::string formatAge(std::int64_t age_seconds) {
  if (age_seconds < 0) {
    return "in the future";
  }
  constexpr std::int64_t kMinute = 60;
  constexpr std::int64_t kHour = 60 * kMinute;
  constexpr std::int64_t kDay = 24 * kHour;
  if (age_seconds < kMinute) {
    return std::to_string(age_seconds) + "s ago";
  }
  if (age_seconds < kHour) {
    return std::to_string(age_seconds / kMinute) + "m ago";
  }
  if (age_seconds < kDay) {
    return std::to_string(age_seconds / kHour) + "h ago";
  }
  return std::to_string(age_seconds / kDay) + "d " + std::to_string((age_seconds % kDay) / kHour) + "h ago";
}

void writeSummaryText(std::ostream& out, const AuditSummary& summary, std::chrono::system_clock::time_point now,
                      bool list_break_glass) {
  out << "\nSummary: " << counted(summary.total(), "record") << ", " << summary.allowed() << " allowed, "
      << summary.denied() << " denied, " << summary.breakGlass().size() << " break-glass";
  if (summary.skippedLines() > 0) {
    out << " (" << counted(summary.skippedLines(), "corrupt line") << " skipped)";
  }
  out << "\n";
  writeRuleTable(out, summary);
  writeUserTable(out, summary);
  if (list_break_glass) {
    writeBreakGlassList(out, summary, now);
  } else if (!summary.breakGlass().empty()) {
    out << "Break-glass bypasses: " << summary.breakGlass().size() << " (--break-glass lists them)\n";
  }
}

}  // namespace meshward::audit
