#include "webhook/audit/audit_record.h"

#include <cstdio>
#include <string>

#include "policies/action.h"
#include "webhook/common/json_writer.h"

namespace meshward::audit {
namespace {

using nlohmann::json;

// The name to record: the request's name, or metadata.generateName for objects the API
// server has not named yet.
std::string_view recordedName(const admission::AdmissionRequest& request) {
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
  return generate_name->get_ref<const std::string&>();
}

// Members in the order nlohmann's dump of the same record as a tree gave (sorted), so lines
// read the same as before.
void writeFindings(JsonWriter& writer, const std::vector<policies::Finding>& findings, bool with_action) {
  writer.beginArray();
  for (const policies::Finding& finding : findings) {
    writer.beginObject();
    if (with_action) {
      writer.member("action", policies::actionName(finding.action));
    }
    writer.member("code", finding.code).member("message", finding.message).member("rule", finding.rule);
    writer.endObject();
  }
  writer.endArray();
}

void writeMutations(JsonWriter& writer, const std::vector<policies::PatchOperation>& patch) {
  writer.beginArray();
  for (const policies::PatchOperation& operation : patch) {
    writer.beginObject().member("op", operation.op).member("path", operation.path).member("rule", operation.rule);
    writer.endObject();
  }
  writer.endArray();
}

void writeBreakGlass(JsonWriter& writer, const std::optional<admission::BreakGlassRecord>& break_glass) {
  if (!break_glass) {
    writer.null();
    return;
  }
  writer.beginObject().key("bypassed");
  writeFindings(writer, break_glass->bypassed, false);
  writer.member("expires", formatRfc3339Millis(break_glass->expires))
      .member("reason", break_glass->reason)
      .member("user", break_glass->user)
      .endObject();
}

}  // namespace

std::string auditLine(const admission::AdmissionRequest& request, const admission::Decision& decision,
                      std::string_view webhook, std::chrono::system_clock::time_point time,
                      std::int64_t latency_micros, std::string_view policy_hash) {
  const policies::RequestFacts& facts = request.facts;
  std::string line;
  line.reserve(512 + 256 * decision.findings.size());
  JsonWriter writer(line);
  writer.beginObject().key("breakGlass");
  writeBreakGlass(writer, decision.break_glass);
  writer.member("decision", decision.allowed ? "allowed" : "denied").member("dryRun", facts.dry_run);
  writer.key("findings");
  writeFindings(writer, decision.findings, true);
  writer.key("groups").beginArray();
  for (const std::string& group : facts.groups) {
    writer.value(group);
  }
  writer.endArray();
  writer.member("latencyMicros", latency_micros).key("mutations");
  writeMutations(writer, decision.patch);
  writer.member("name", recordedName(request))
      .member("namespace", facts.namespace_name)
      .member("operation", facts.operation)
      .member("policyHash", policy_hash);
  writer.key("resource")
      .beginObject()
      .member("group", facts.group)
      .member("kind", facts.kind)
      .member("resource", request.resource)
      .member("version", facts.version)
      .endObject();
  writer.member("time", formatRfc3339Millis(time))
      .member("uid", request.uid)
      .member("user", facts.user)
      .member("webhook", webhook)
      .endObject();
  return line;
}

}  // namespace meshward::audit
