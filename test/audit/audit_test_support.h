#pragma once
// Shared by the audit tests: a temporary directory that removes itself, file helpers, the log
// captured, and audit records built through the real writer-side code (auditLine, parsed back by
// makeAuditRecord).

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "webhook/admission/admission_review.h"
#include "webhook/admission/decision.h"
#include "webhook/audit/audit_record.h"
#include "webhook/common/rfc3339.h"

namespace meshward::audit {

// The line the server writes for this decision (auditLine), parsed back.
inline nlohmann::json makeAuditRecord(const admission::AdmissionRequest& request, const admission::Decision& decision,
                                      std::string_view webhook, std::chrono::system_clock::time_point time,
                                      std::int64_t latency_micros, std::string_view policy_hash) {
  return nlohmann::json::parse(auditLine(request, decision, webhook, time, latency_micros, policy_hash));
}

}  // namespace meshward::audit

namespace meshward::audit::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "meshward-audit-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) {
      path_ = pattern;
    }
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::vector<std::string> readLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

inline void writeFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// What spdlog's default logger logs while this lives (instead of stderr).
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_)));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  // Call once nothing logs any more (the stream is not locked against the logger).
  std::string text() const { return stream_.str(); }
  std::size_t linesContaining(const std::string& needle) const {
    std::size_t count = 0;
    std::istringstream lines(stream_.str());
    for (std::string line; std::getline(lines, line);) {
      count += line.find(needle) != std::string::npos ? 1 : 0;
    }
    return count;
  }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

inline std::chrono::system_clock::time_point at(const std::string& rfc3339) {
  return parseRfc3339(rfc3339).value();
}

// What one test record says; everything else takes the defaults below.
struct RecordSpec {
  std::string time = "2026-11-22T10:00:00.000Z";
  std::string user = "alice";
  std::string operation = "CREATE";
  std::string kind = "DestinationRule";
  std::string namespace_name = "default";
  std::string name = "reviews";
  bool allowed = true;
  bool dry_run = false;
  std::vector<std::pair<std::string, policies::Action>> findings;  // rule, action
  std::optional<std::string> break_glass_reason;
  std::vector<std::string> bypassed_rules;
  std::string break_glass_expires;  // "" : 24 h after `time`
};

inline nlohmann::json makeRecord(const RecordSpec& spec) {
  admission::AdmissionRequest request;
  request.api_version = "admission.k8s.io/v1";
  request.uid = "uid-" + spec.name;
  request.resource = "destinationrules";
  request.facts.operation = spec.operation;
  request.facts.group = "networking.istio.io";
  request.facts.version = "v1";
  request.facts.kind = spec.kind;
  request.facts.namespace_name = spec.namespace_name;
  request.facts.name = spec.name;
  request.facts.user = spec.user;
  request.facts.groups = {"system:authenticated"};
  request.facts.dry_run = spec.dry_run;
  admission::Decision decision;
  decision.allowed = spec.allowed;
  for (const auto& [rule, action] : spec.findings) {
    decision.findings.push_back({rule, "MW0001", action, rule + " says no"});
  }
  if (spec.break_glass_reason) {
    admission::BreakGlassRecord break_glass{
        spec.user, *spec.break_glass_reason, {},
        spec.break_glass_expires.empty() ? at(spec.time) + std::chrono::hours(24) : at(spec.break_glass_expires)};
    for (const std::string& rule : spec.bypassed_rules) {
      break_glass.bypassed.push_back({rule, "MW0001", policies::Action::Deny, rule + " bypassed"});
    }
    decision.break_glass = std::move(break_glass);
  }
  return makeAuditRecord(request, decision, "validate", at(spec.time), 250, "sha256:abc");
}

inline std::string recordLine(const RecordSpec& spec) { return makeRecord(spec).dump() + "\n"; }

}  // namespace meshward::audit::testing
