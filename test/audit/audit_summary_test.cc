#include "webhook/audit/audit_summary.h"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/audit/audit_test_support.h"
#include "webhook/audit/audit_filter.h"
#include "webhook/audit/audit_text.h"

namespace meshward::audit {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using policies::Action;
using testing::at;
using testing::RecordSpec;

AuditEntry entryOf(const RecordSpec& spec) {
  auto entry = parseAuditRecord(testing::recordLine(spec));
  EXPECT_TRUE(entry.ok()) << entry.error();
  return std::move(*entry);
}

const auto kNow = at("2026-11-22T12:00:00Z");

// alice: denied by subset-exists, allowed with a sidecar-memory warning; bob: allowed clean,
// and a break-glass 3 h ago bypassing subset-exists; carol: break-glass 25 h ago.
std::vector<AuditEntry> sampleEntries() {
  RecordSpec denied;
  denied.time = "2026-11-22T11:30:00.000Z";
  denied.allowed = false;
  denied.findings = {{"subset-exists", Action::Deny}, {"sidecar-memory", Action::Warn}};
  RecordSpec warned;
  warned.time = "2026-11-22T11:00:00.000Z";
  warned.findings = {{"sidecar-memory", Action::Warn}};
  RecordSpec clean;
  clean.user = "bob";
  clean.time = "2026-11-21T12:00:00.000Z";
  RecordSpec recent_bypass;
  recent_bypass.user = "bob";
  recent_bypass.time = "2026-11-22T09:00:00.000Z";
  recent_bypass.findings = {{"subset-exists", Action::Deny}};
  recent_bypass.break_glass_reason = "INC-1 rollback";
  recent_bypass.bypassed_rules = {"subset-exists"};
  RecordSpec old_bypass;
  old_bypass.user = "carol";
  old_bypass.name = "ratings";
  old_bypass.time = "2026-11-21T11:00:00.000Z";
  old_bypass.break_glass_reason = "INC-0";
  old_bypass.bypassed_rules = {"strict-mtls-needs-sidecars"};
  old_bypass.break_glass_expires = "2026-11-22T11:00:00.000Z";
  return {entryOf(denied), entryOf(warned), entryOf(clean), entryOf(recent_bypass), entryOf(old_bypass)};
}

AuditSummary summarize(const std::vector<AuditEntry>& entries, const AuditFilter& filter = {}) {
  AuditSummary summary;
  for (const AuditEntry& entry : entries) {
    if (filter.matches(entry)) {
      summary.add(entry);
    }
  }
  return summary;
}

TEST(AuditFilter, EachConditionKeepsOnlyWhatMatches) {
  const auto entries = sampleEntries();
  AuditFilter by_user;
  by_user.user = "bob";
  EXPECT_EQ(summarize(entries, by_user).total(), 2u);
  by_user.user = "Bob";
  EXPECT_EQ(summarize(entries, by_user).total(), 0u);

  AuditFilter by_rule;
  by_rule.rule = "subset-exists";
  EXPECT_EQ(summarize(entries, by_rule).total(), 2u);
  by_rule.rule = "strict-mtls-needs-sidecars";  // only ever bypassed
  EXPECT_EQ(summarize(entries, by_rule).total(), 1u);
  by_rule.rule = "no-such-rule";
  EXPECT_EQ(summarize(entries, by_rule).total(), 0u);

  AuditFilter by_decision;
  by_decision.allowed = false;
  EXPECT_EQ(summarize(entries, by_decision).total(), 1u);
  by_decision.allowed = true;
  EXPECT_EQ(summarize(entries, by_decision).total(), 4u);

  AuditFilter break_glass;
  break_glass.break_glass_only = true;
  EXPECT_EQ(summarize(entries, break_glass).total(), 2u);

  AuditFilter since;
  since.not_before = kNow - 1h;
  EXPECT_EQ(summarize(entries, since).total(), 2u);
  since.not_before = kNow - 24h;
  EXPECT_EQ(summarize(entries, since).total(), 4u);  // the record exactly 24 h old is kept

  AuditFilter combined;
  combined.user = "alice";
  combined.allowed = false;
  combined.rule = "sidecar-memory";
  EXPECT_EQ(summarize(entries, combined).total(), 1u);
}

TEST(AuditSummary, CountsDecisionsByRuleAndByUser) {
  const AuditSummary summary = summarize(sampleEntries());
  EXPECT_EQ(summary.total(), 5u);
  EXPECT_EQ(summary.allowed(), 4u);
  EXPECT_EQ(summary.denied(), 1u);

  const auto& subset = summary.byRule().at("subset-exists");
  EXPECT_EQ(subset.fired, 2u);
  EXPECT_EQ(subset.denied, 1u);
  EXPECT_EQ(subset.allowed, 1u);
  EXPECT_EQ(subset.warned, 0u);
  EXPECT_EQ(subset.bypassed, 1u);
  const auto& memory = summary.byRule().at("sidecar-memory");
  EXPECT_EQ(memory.fired, 2u);
  EXPECT_EQ(memory.denied, 0u);  // it only warned on the denied request
  EXPECT_EQ(memory.allowed, 1u);
  EXPECT_EQ(memory.warned, 2u);
  EXPECT_EQ(summary.byRule().at("strict-mtls-needs-sidecars").bypassed, 1u);
  EXPECT_EQ(summary.byRule().size(), 3u);

  EXPECT_EQ(summary.byUser().at("alice").total, 2u);
  EXPECT_EQ(summary.byUser().at("alice").denied, 1u);
  EXPECT_EQ(summary.byUser().at("bob").total, 2u);
  EXPECT_EQ(summary.byUser().at("bob").denied, 0u);

  const auto top = summary.topUsers(2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].first, "alice");  // most denied first
  EXPECT_EQ(top[1].first, "bob");    // then most requests
}

TEST(AuditSummary, BreakGlassAgesAndTheReconcileFlag) {
  const AuditSummary summary = summarize(sampleEntries());
  ASSERT_EQ(summary.breakGlass().size(), 2u);
  const json document = summary.toJson(kNow);
  const json& recent = document["breakGlass"][0];
  EXPECT_EQ(recent["user"], "bob");
  EXPECT_EQ(recent["reason"], "INC-1 rollback");
  EXPECT_EQ(recent["ageSeconds"], 3 * 3600);
  EXPECT_EQ(recent["reconcileWithGit"], false);
  EXPECT_EQ(recent["bypassed"][0]["rule"], "subset-exists");
  const json& old = document["breakGlass"][1];
  EXPECT_EQ(old["user"], "carol");
  EXPECT_EQ(old["ageSeconds"], 25 * 3600);
  EXPECT_EQ(old["reconcileWithGit"], true);
  EXPECT_EQ(recent["expires"], "2026-11-23T09:00:00.000Z");
  EXPECT_EQ(recent["expired"], false);
  EXPECT_EQ(old["expires"], "2026-11-22T11:00:00.000Z");
  EXPECT_EQ(old["expired"], true);

  EXPECT_FALSE(needsReconcileWithGit(24 * 3600));
  EXPECT_TRUE(needsReconcileWithGit(24 * 3600 + 1));
  EXPECT_EQ(ageSeconds(kNow - 90min, kNow), 5400);
  EXPECT_EQ(ageSeconds(kNow + 1h, kNow), -3600);
}

TEST(AuditSummary, RecordsFromBeforeBypassesExpiredHaveNoExpiry) {
  RecordSpec bypass;
  bypass.break_glass_reason = "INC-2";
  json record = testing::makeRecord(bypass);
  record["breakGlass"].erase("expires");
  const auto entry = parseAuditRecord(record.dump());
  ASSERT_TRUE(entry.ok()) << entry.error();
  AuditSummary summary;
  summary.add(*entry);
  EXPECT_EQ(summary.toJson(kNow)["breakGlass"][0]["expires"], nullptr);
  EXPECT_EQ(summary.toJson(kNow)["breakGlass"][0]["expired"], false);

  record["breakGlass"]["expires"] = "soon";
  EXPECT_FALSE(parseAuditRecord(record.dump()).ok()) << "a record with an unreadable expiry is reported, not guessed";
}

TEST(AuditSummary, JsonHasTheDocumentedShape) {
  AuditSummary summary = summarize(sampleEntries());
  summary.addSkippedLine();
  const json document = summary.toJson(kNow);
  EXPECT_EQ(document["total"], 5);
  EXPECT_EQ(document["allowed"], 4);
  EXPECT_EQ(document["denied"], 1);
  EXPECT_EQ(document["skippedLines"], 1);
  EXPECT_EQ(document["byRule"]["subset-exists"],
            json({{"fired", 2}, {"allowed", 1}, {"denied", 1}, {"warned", 0}, {"bypassed", 1}}));
  EXPECT_EQ(document["byUser"]["alice"], json({{"total", 2}, {"allowed", 1}, {"denied", 1}}));
  EXPECT_TRUE(document["breakGlass"].is_array());
}

TEST(AuditText, AgesReadLikeAPerson) {
  EXPECT_EQ(formatAge(0), "0s ago");
  EXPECT_EQ(formatAge(59), "59s ago");
  EXPECT_EQ(formatAge(60), "1m ago");
  EXPECT_EQ(formatAge(3 * 3600 + 59), "3h ago");
  EXPECT_EQ(formatAge(25 * 3600), "1d 1h ago");
  EXPECT_EQ(formatAge(-5), "in the future");
}

TEST(AuditText, OneLinePerRecordWithWhatFired) {
  const auto entries = sampleEntries();
  const std::string denied = formatEntryLine(entries[0]);
  EXPECT_EQ(denied.find('\n'), std::string::npos);
  EXPECT_NE(denied.find("2026-11-22T11:30:00.000Z"), std::string::npos);
  EXPECT_NE(denied.find("denied"), std::string::npos);
  EXPECT_NE(denied.find("DestinationRule default/reviews"), std::string::npos);
  EXPECT_NE(denied.find("user=alice"), std::string::npos);
  EXPECT_NE(denied.find("subset-exists(deny),sidecar-memory(warn)"), std::string::npos);
  EXPECT_EQ(denied.find("BREAK-GLASS"), std::string::npos);
  EXPECT_NE(formatEntryLine(entries[3]).find("BREAK-GLASS"), std::string::npos);
  EXPECT_NE(formatEntryLine(entries[2]).find("rules=-"), std::string::npos);
}

TEST(AuditText, ControlCharactersNeverReachTheTerminal) {
  EXPECT_EQ(printable("ok"), "ok");
  EXPECT_EQ(printable(""), "-");
  EXPECT_EQ(printable("a\x1b[31mb\nc\x7f"), "a?[31mb?c?");
  EXPECT_EQ(printable("x\xC2\x9By"), "x?y");
  EXPECT_EQ(printable("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(AuditText, SummaryListsBypassesAndFlagsOldOnes) {
  const AuditSummary summary = summarize(sampleEntries());
  std::ostringstream listed;
  writeSummaryText(listed, summary, kNow, true);
  const std::string text = listed.str();
  EXPECT_NE(text.find("5 records, 4 allowed, 1 denied"), std::string::npos) << text;
  EXPECT_NE(text.find("(3h ago)"), std::string::npos) << text;
  EXPECT_NE(text.find("(1d 1h ago)"), std::string::npos) << text;
  EXPECT_NE(text.find("reason: INC-1 rollback"), std::string::npos) << text;
  EXPECT_NE(text.find("bypassed: strict-mtls-needs-sidecars"), std::string::npos) << text;
  EXPECT_NE(text.find("expires: 2026-11-23T09:00:00.000Z\n"), std::string::npos) << text;
  EXPECT_NE(text.find("expires: 2026-11-22T11:00:00.000Z (expired)"), std::string::npos) << text;
  const auto first_flag = text.find("reconcile with Git");
  ASSERT_NE(first_flag, std::string::npos);
  EXPECT_EQ(text.find("reconcile with Git", first_flag + 1), std::string::npos) << "only the 25 h old one";
  EXPECT_GT(first_flag, text.find("INC-0")) << "the flag follows the old bypass";

  std::ostringstream counted;
  writeSummaryText(counted, summary, kNow, false);
  EXPECT_EQ(counted.str().find("reconcile with Git"), std::string::npos);
  EXPECT_NE(counted.str().find("Break-glass bypasses: 2"), std::string::npos);
}

}  // namespace
}  // namespace meshward::audit
