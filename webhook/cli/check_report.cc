#include "webhook/cli/check_report.h"

#include <cctype>

namespace meshward::cli {
namespace {

std::string objectName(const CheckedFinding& checked) {
  const std::string name = checked.name.empty() ? "(unnamed)" : checked.name;
  return checked.namespace_name.empty() ? name : checked.namespace_name + "/" + name;
}

std::string upperCase(std::string_view text) {
  std::string upper;
  for (char c : text) {
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return upper;
}

std::string counted(std::size_t count, std::string_view singular, std::string_view plural) {
  return std::to_string(count) + " " + std::string(count == 1 ? singular : plural);
}

}  // namespace

nlohmann::ordered_json checkReportJson(const CheckReport& report) {
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const CheckedFinding& checked : report.findings) {
    findings.push_back({
        {"rule", checked.finding.rule},
        {"code", checked.finding.code},
        {"action", policies::actionName(checked.finding.action)},
        {"kind", checked.kind},
        {"namespace", checked.namespace_name},
        {"name", checked.name},
        {"file", checked.file},
        {"line", checked.line},
        {"message", checked.finding.message},
    });
  }
  const CheckSummary& summary = report.summary;
  return {
      {"findings", std::move(findings)},
      {"summary",
       {
           {"objects", summary.objects},
           {"files", summary.files},
           {"skipped", summary.skipped},
           {"denied", summary.denied},
           {"warned", summary.warned},
           {"audited", summary.audited},
           {"mutated", summary.mutated},
           {"mutations", summary.mutations},
       }},
  };
}

void printCheckText(const CheckReport& report, std::ostream& out) {
  for (const CheckedFinding& checked : report.findings) {
    if (checked.finding.action != policies::Action::Deny && checked.finding.action != policies::Action::Warn) {
      continue;
    }
    // Rules usually start their message with the object ("Pod shop/web: ..."); it is not repeated.
    const std::string subject = checked.kind + " " + objectName(checked) + ": ";
    const std::string& message = checked.finding.message;
    out << checked.file << ":" << checked.line << ": " << upperCase(policies::actionName(checked.finding.action))
        << " [" << checked.finding.rule << "] (" << checked.finding.code << ") "
        << (message.starts_with(subject) ? "" : subject) << message << "\n";
  }
  const CheckSummary& summary = report.summary;
  out << "checked " << counted(summary.objects, "object", "objects") << " in "
      << counted(summary.files, "file", "files")
      << ": " << summary.denied << " denied, " << summary.warned << " with warnings, " << summary.audited
      << " audited, " << summary.mutated << " would be mutated";
  if (summary.skipped > 0) {
    out << ", " << counted(summary.skipped, "document", "documents") << " skipped (no apiVersion/kind)";
  }
  out << "\n";
}

}  // namespace meshward::cli
