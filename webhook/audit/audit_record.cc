#include "webhook/audit/audit_record.h"

#include <cstdio>
#include <string>

#include "policies/action.h"

namespace meshward::audit {
namespace {

using nlohmann::json;

// The name to record: the request's name, or metadata.generateName for objects the API
// server has not named yet.
std::string recordedName(const admission::AdmissionRequest& request) {
  if (!request.facts.name.empty()) {
    return request.facts.name;
  }
  if (!request.object.is_object()) {
    return "";
  }
  const auto metadata = request.object.find("metadata");
  if (metadata == request.object.end() || !metadata->is_object()) {
    return "";
  }
  const auto generate_name = metadata->find("generateName");
  if (generate_name == metadata->end() || !generate_name->is_string()) {
    return "";
  }
  return generate_name->get<std::string>();
}

json findingsJson(const std::vector<policies::Finding>& findings, bool with_action) {
  json list = json::array();
  for (const policies::Finding& finding : findings) {
    json entry = {{"rule", finding.rule}, {"code", finding.code}, {"message", finding.message}};
    if (with_action) {
      entry["action"] = std::string(policies::actionName(finding.action));
    }
    list.push_back(std::move(entry));
  }
  return list;
}

json mutationsJson(const std::vector<policies::PatchOperation>& patch) {
  json list = json::array();
  for (const policies::PatchOperation& operation : patch) {
    list.push_back({{"rule", operation.rule}, {"op", operation.op}, {"path", operation.path}});
  }
  return list;
}

json breakGlassJson(const std::optional<admission::BreakGlassRecord>& break_glass) {
  if (!break_glass) {
    return nullptr;
  }
  return {{"user", break_glass->user},
          {"reason", break_glass->reason},
          {"bypassed", findingsJson(break_glass->bypassed, false)}};
}

}  // namespace

json makeAuditRecord(const admission::AdmissionRequest& request, const admission::Decision& decision,
                     std::string_view webhook, std::chrono::system_clock::time_point time,
                     std::int64_t latency_micros, std::string_view policy_hash) {
  const policies::RequestFacts& facts = request.facts;
  json record = json::object();
  record["time"] = formatRfc3339Millis(time);
  record["uid"] = request.uid;
  record["webhook"] = std::string(webhook);
  record["operation"] = facts.operation;
  record["dryRun"] = facts.dry_run;
  record["user"] = facts.user;
  record["groups"] = facts.groups;
  record["resource"] = {
      {"group", facts.group}, {"version", facts.version}, {"kind", facts.kind}, {"resource", request.resource}};
  record["namespace"] = facts.namespace_name;
  record["name"] = recordedName(request);
  record["decision"] = decision.allowed ? "allowed" : "denied";
  record["findings"] = findingsJson(decision.findings, true);
  record["mutations"] = mutationsJson(decision.patch);
  record["breakGlass"] = breakGlassJson(decision.break_glass);
  record["latencyMicros"] = latency_micros;
  record["policyHash"] = std::string(policy_hash);
  return record;
}

std::string formatRfc3339Millis(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto millis = floor<milliseconds>(time);
  const auto day = floor<days>(millis);
  const year_month_day date{day};
  const hh_mm_ss clock{millis - day};
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return text;
}

}  // namespace meshward::audit
