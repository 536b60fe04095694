#include "webhook/audit/audit_record.h"

#include <chrono>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/audit/audit_test_support.h"
#include "webhook/audit/audit_reader.h"

namespace meshward::audit {
namespace {

using nlohmann::json;
using namespace std::chrono;

admission::AdmissionRequest createRequest() {
  admission::AdmissionRequest request;
  request.api_version = "admission.k8s.io/v1";
  request.uid = "705ab4f5-6393-11e8-b7cc-42010a800002";
  request.resource = "destinationrules";
  request.facts.operation = "CREATE";
  request.facts.group = "networking.istio.io";
  request.facts.version = "v1";
  request.facts.kind = "DestinationRule";
  request.facts.namespace_name = "bookinfo";
  request.facts.name = "reviews";
  request.facts.user = "alice@example.com";
  request.facts.groups = {"system:authenticated", "platform"};
  request.object = {{"metadata", {{"name", "reviews"}, {"namespace", "bookinfo"}}}};
  return request;
}

const system_clock::time_point kTime = sys_days{2026y / 11 / 22} + 10h + 4min + 5s + 123ms + 456us;

TEST(AuditRecord, HasExactlyTheDocumentedFieldsWithTheirTypes) {
  admission::Decision decision;
  decision.allowed = false;
  decision.findings = {{"subset-exists", "MW0201", policies::Action::Deny, "subset v2 is not defined"},
                       {"sidecar-memory", "MW0101", policies::Action::Warn, "limit below 128Mi"}};
  decision.patch = {{"add", "/metadata/labels/x", "secret-value", "default-labels"}};
  const json record = makeAuditRecord(createRequest(), decision, "validate", kTime, 1234, "sha256:feed");

  std::set<std::string> keys;
  for (const auto& [key, value] : record.items()) {
    keys.insert(key);
  }
  EXPECT_EQ(keys, (std::set<std::string>{"time", "uid", "webhook", "operation", "dryRun", "user", "groups",
                                         "resource", "namespace", "name", "decision", "findings", "mutations",
                                         "breakGlass", "latencyMicros", "policyHash"}));
  EXPECT_EQ(record["time"], "2026-11-22T10:04:05.123Z");
  EXPECT_EQ(record["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(record["webhook"], "validate");
  EXPECT_EQ(record["operation"], "CREATE");
  EXPECT_TRUE(record["dryRun"].is_boolean());
  EXPECT_EQ(record["dryRun"], false);
  EXPECT_EQ(record["user"], "alice@example.com");
  EXPECT_EQ(record["groups"], json::array({"system:authenticated", "platform"}));
  EXPECT_EQ(record["resource"], json({{"group", "networking.istio.io"},
                                      {"version", "v1"},
                                      {"kind", "DestinationRule"},
                                      {"resource", "destinationrules"}}));
  EXPECT_EQ(record["namespace"], "bookinfo");
  EXPECT_EQ(record["name"], "reviews");
  EXPECT_EQ(record["decision"], "denied");
  ASSERT_EQ(record["findings"].size(), 2u);
  EXPECT_EQ(record["findings"][0], json({{"rule", "subset-exists"},
                                         {"code", "MW0201"},
                                         {"action", "deny"},
                                         {"message", "subset v2 is not defined"}}));
  EXPECT_EQ(record["findings"][1]["action"], "warn");
  EXPECT_EQ(record["mutations"], json::array({{{"rule", "default-labels"}, {"op", "add"}, {"path", "/metadata/labels/x"}}}));
  EXPECT_EQ(record["mutations"].dump().find("secret-value"), std::string::npos);
  EXPECT_TRUE(record["breakGlass"].is_null());
  EXPECT_TRUE(record["latencyMicros"].is_number_integer());
  EXPECT_EQ(record["latencyMicros"], 1234);
  EXPECT_EQ(record["policyHash"], "sha256:feed");
}

TEST(AuditRecord, AllowedRequestWithNothingToSay) {
  const json record = makeAuditRecord(createRequest(), admission::Decision{}, "mutate", kTime, 0, "");
  EXPECT_EQ(record["decision"], "allowed");
  EXPECT_EQ(record["webhook"], "mutate");
  EXPECT_EQ(record["findings"], json::array());
  EXPECT_EQ(record["mutations"], json::array());
}

TEST(AuditRecord, UnnamedObjectIsRecordedByItsGenerateName) {
  admission::AdmissionRequest request = createRequest();
  request.facts.name = "";
  request.object = {{"metadata", {{"generateName", "reviews-"}, {"namespace", "bookinfo"}}}};
  EXPECT_EQ(makeAuditRecord(request, {}, "validate", kTime, 0, "h")["name"], "reviews-");

  request.object["metadata"]["generateName"] = 42;
  EXPECT_EQ(makeAuditRecord(request, {}, "validate", kTime, 0, "h")["name"], "");

  request.object = {{"metadata", "not an object"}};
  EXPECT_EQ(makeAuditRecord(request, {}, "validate", kTime, 0, "h")["name"], "");
}

TEST(AuditRecord, TheRequestNameWinsOverGenerateName) {
  admission::AdmissionRequest request = createRequest();
  request.object["metadata"]["generateName"] = "reviews-";
  EXPECT_EQ(makeAuditRecord(request, {}, "validate", kTime, 0, "h")["name"], "reviews");
}

TEST(AuditRecord, DeleteWithNullObject) {
  admission::AdmissionRequest request = createRequest();
  request.facts.operation = "DELETE";
  request.object = nullptr;
  request.old_object = {{"metadata", {{"name", "reviews"}}}};
  const json record = makeAuditRecord(request, {}, "validate", kTime, 0, "h");
  EXPECT_EQ(record["operation"], "DELETE");
  EXPECT_EQ(record["name"], "reviews");

  request.facts.name = "";
  EXPECT_EQ(makeAuditRecord(request, {}, "validate", kTime, 0, "h")["name"], "");
}

TEST(AuditRecord, BreakGlassRecordsWhoWhyAndWhatWasBypassed) {
  admission::Decision decision;
  decision.allowed = true;
  decision.break_glass = admission::BreakGlassRecord{
      "oncall@example.com",
      "INC-4211 rollback",
      {{"subset-exists", "MW0201", policies::Action::Deny, "subset v2 is not defined"}},
      kTime + std::chrono::hours(4)};
  const json record = makeAuditRecord(createRequest(), decision, "validate", kTime, 0, "h");
  EXPECT_EQ(record["breakGlass"], json({{"user", "oncall@example.com"},
                                        {"reason", "INC-4211 rollback"},
                                        {"expires", formatRfc3339Millis(kTime + std::chrono::hours(4))},
                                        {"bypassed", json::array({{{"rule", "subset-exists"},
                                                                   {"code", "MW0201"},
                                                                   {"message", "subset v2 is not defined"}}})}}));
}

TEST(AuditRecord, WhatTheWriterWritesTheReaderReads) {
  admission::Decision decision;
  decision.allowed = false;
  decision.findings = {{"subset-exists", "MW0201", policies::Action::Deny, "subset v2 is not defined"}};
  decision.break_glass = admission::BreakGlassRecord{"bob", "why", {decision.findings[0]}};
  const json record = makeAuditRecord(createRequest(), decision, "validate", kTime, 10, "h");
  const auto entry = parseAuditRecord(record.dump());
  ASSERT_TRUE(entry.ok()) << entry.error();
  EXPECT_EQ(entry->time, floor<milliseconds>(kTime));
  EXPECT_FALSE(entry->allowed);
  EXPECT_EQ(entry->kind, "DestinationRule");
  ASSERT_EQ(entry->findings.size(), 1u);
  EXPECT_EQ(entry->findings[0].action, "deny");
  ASSERT_TRUE(entry->break_glass.has_value());
  EXPECT_EQ(entry->break_glass->bypassed[0].rule, "subset-exists");
}

TEST(FormatRfc3339Millis, UtcWithMillisecondsTruncated) {
  EXPECT_EQ(formatRfc3339Millis(kTime), "2026-11-22T10:04:05.123Z");
  EXPECT_EQ(formatRfc3339Millis(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(formatRfc3339Millis(system_clock::time_point{} - 1ms), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(formatRfc3339Millis(sys_days{2024y / 2 / 29} + 23h + 59min + 59s + 999ms), "2024-02-29T23:59:59.999Z");
}

}  // namespace
}  // namespace meshward::audit

namespace meshward::audit {
namespace {

TEST(AuditLine, NamesThatAreNotUtf8StillMakeOneLineOfValidJson) {
  admission::AdmissionRequest request = createRequest();
  request.facts.name = "web\xff\xfe\"\n";
  request.facts.user = "eve\xC3";
  request.facts.groups = {"ok", "\xED\xA0\x80"};
  admission::Decision decision;
  decision.allowed = false;
  decision.findings = {{"subset-exists", "MW0201", policies::Action::Deny, "host \xC0\xAF is \"odd\""}};
  const std::string line = auditLine(request, decision, "validate", kTime, 7, "h");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  json record;
  ASSERT_NO_THROW(record = json::parse(line)) << line;
  EXPECT_EQ(record["name"], "web\xEF\xBF\xBD\xEF\xBF\xBD\"\n");
  EXPECT_EQ(record["user"], "eve\xEF\xBF\xBD");
  EXPECT_EQ(record["findings"][0]["message"], "host \xEF\xBF\xBD\xEF\xBF\xBD is \"odd\"");
}

TEST(AuditLine, IsWhatATreeOfTheSameRecordDumpsTo) {
  admission::Decision decision;
  decision.allowed = false;
  decision.findings = {{"subset-exists", "MW0201", policies::Action::Deny, "subset v2 is not defined"}};
  decision.patch = {{"add", "/metadata/labels/x", "v", "default-labels"}};
  decision.break_glass = admission::BreakGlassRecord{"oncall", "incident 42", decision.findings};
  const std::string line = auditLine(createRequest(), decision, "validate", kTime, 1234, "sha256:feed");
  EXPECT_EQ(json::parse(line).dump(), line);
}

}  // namespace
}  // namespace meshward::audit
