#include "webhook/audit/audit_reader.h"

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/audit/audit_test_support.h"

namespace meshward::audit {
namespace {

using nlohmann::json;
using testing::RecordSpec;
using testing::recordLine;

struct ReadResult {
  std::vector<AuditEntry> entries;
  std::vector<SkippedLine> skipped;
};

ReadResult readAll(const std::string& text) {
  std::istringstream in(text);
  ReadResult result;
  readAuditLines(
      in, "audit.log", [&](AuditEntry&& entry) { result.entries.push_back(std::move(entry)); },
      [&](const SkippedLine& skipped) { result.skipped.push_back(skipped); });
  return result;
}

std::string withField(json record, const std::string& key, json value) {
  record[key] = std::move(value);
  return record.dump() + "\n";
}

std::string withoutField(json record, const std::string& key) {
  record.erase(key);
  return record.dump() + "\n";
}

TEST(ParseAuditRecord, ReadsTheFieldsTheReviewNeeds) {
  RecordSpec spec;
  spec.allowed = false;
  spec.dry_run = true;
  spec.findings = {{"subset-exists", policies::Action::Deny}};
  const auto entry = parseAuditRecord(recordLine(spec));
  ASSERT_TRUE(entry.ok()) << entry.error();
  EXPECT_EQ(entry->time_text, "2026-11-22T10:00:00.000Z");
  EXPECT_EQ(entry->time, testing::at("2026-11-22T10:00:00Z"));
  EXPECT_EQ(entry->uid, "uid-reviews");
  EXPECT_EQ(entry->operation, "CREATE");
  EXPECT_EQ(entry->user, "alice");
  EXPECT_EQ(entry->kind, "DestinationRule");
  EXPECT_EQ(entry->namespace_name, "default");
  EXPECT_EQ(entry->name, "reviews");
  EXPECT_FALSE(entry->allowed);
  EXPECT_TRUE(entry->dry_run);
  ASSERT_EQ(entry->findings.size(), 1u);
  EXPECT_EQ(entry->findings[0].rule, "subset-exists");
  EXPECT_FALSE(entry->break_glass.has_value());
  EXPECT_EQ(entry->record["policyHash"], "sha256:abc");
}

TEST(ParseAuditRecord, SaysWhichFieldIsWrong) {
  const json good = testing::makeRecord({});
  struct Case {
    std::string line;
    std::string why;
  };
  json bad_finding = good;
  bad_finding["findings"] = json::array({{{"rule", "a"}, {"code", "c"}, {"action", "deny"}, {"message", "m"}},
                                         {{"rule", 7}, {"code", "c"}, {"action", "deny"}, {"message", "m"}}});
  json bad_bypass = good;
  bad_bypass["breakGlass"] = {{"user", "u"}, {"reason", "r"}, {"bypassed", json::array({{{"rule", "a"}}})}};
  json bad_kind = good;
  bad_kind["resource"].erase("kind");
  const std::vector<Case> cases = {
      {"this is not json", "not JSON"},
      {"[1, 2, 3]", "not a JSON object"},
      {"\"a string\"", "not a JSON object"},
      {"{}", "time is missing"},
      {withoutField(good, "user"), "user is missing"},
      {withoutField(good, "breakGlass"), "breakGlass is missing"},
      {withField(good, "decision", 5), "decision is not a string"},
      {withField(good, "decision", "maybe"), "decision is neither"},
      {withField(good, "time", "yesterday"), "time is not an RFC 3339 timestamp"},
      {withField(good, "findings", "none"), "findings is not an array"},
      {withField(good, "dryRun", "no"), "dryRun is not a boolean"},
      {withField(good, "latencyMicros", 1.5), "latencyMicros is not an integer"},
      {withField(good, "groups", json::array({"a", 1})), "groups[1] is not a string"},
      {withField(good, "mutations", json::array({{{"rule", "r"}, {"op", "add"}}})), "mutations[0].path is missing"},
      {withField(good, "breakGlass", "yes"), "breakGlass is not an object or null"},
      {bad_finding.dump(), "findings[1].rule is not a string"},
      {bad_bypass.dump(), "breakGlass.bypassed[0].code is missing"},
      {bad_kind.dump(), "resource.kind is missing"},
  };
  for (const Case& test : cases) {
    const auto entry = parseAuditRecord(test.line);
    ASSERT_FALSE(entry.ok()) << test.line;
    EXPECT_NE(entry.error().find(test.why), std::string::npos) << "got: " << entry.error() << "; want: " << test.why;
  }
  EXPECT_TRUE(parseAuditRecord(good.dump()).ok());
}

TEST(ParseAuditRecord, OptionalFieldsMayBeAbsent) {
  json minimal = testing::makeRecord({});
  for (const char* optional : {"uid", "webhook", "dryRun", "groups", "mutations", "latencyMicros", "policyHash"}) {
    minimal.erase(optional);
  }
  EXPECT_TRUE(parseAuditRecord(minimal.dump()).ok());
}

TEST(ReadAuditLines, CorruptLinesAreReportedWithTheirNumbersAndSkipped) {
  const std::string valid = recordLine({});
  std::string text;
  text += valid;                                             // 1
  text += "not json at all\n";                               // 2
  text += "{}\n";                                            // 3
  text += "\n";                                              // 4: blank, ignored
  text += std::string("{\"time\":\"\xff\xfe\"}\n");          // 5: invalid UTF-8
  text += std::string("\0\x01\x02garbage\x7f", 12) + "\n";   // 6: binary
  text += std::string(100000, '[') + "\n";                   // 7: deep nesting
  text += std::string(kMaxAuditLineBytes + 10, 'x') + "\n";  // 8: too long
  text += valid;                                             // 9
  text += valid.substr(0, valid.size() - 1) + "\r\n";        // 10: CRLF is fine
  text += valid.substr(0, valid.size() / 2);                 // 11: truncated, no newline at the end

  const ReadResult result = readAll(text);
  EXPECT_EQ(result.entries.size(), 3u);
  std::vector<std::size_t> skipped_lines;
  for (const SkippedLine& skipped : result.skipped) {
    EXPECT_EQ(skipped.source, "audit.log");
    EXPECT_FALSE(skipped.why.empty());
    skipped_lines.push_back(skipped.line);
  }
  EXPECT_EQ(skipped_lines, (std::vector<std::size_t>{2, 3, 5, 6, 7, 8, 11}));
  ASSERT_EQ(result.skipped.size(), 7u);
  EXPECT_NE(result.skipped[0].why.find("not JSON"), std::string::npos);
  EXPECT_NE(result.skipped[1].why.find("time is missing"), std::string::npos);
  EXPECT_NE(result.skipped[4].why.find("nested deeper"), std::string::npos);
  EXPECT_NE(result.skipped[5].why.find("line longer than"), std::string::npos);
}

TEST(ReadAuditLines, EmptyInputHasNothingToSay) {
  const ReadResult result = readAll("");
  EXPECT_TRUE(result.entries.empty());
  EXPECT_TRUE(result.skipped.empty());
}

TEST(ReadAuditLines, RandomBytesNeverCrashAndEveryLineIsAccountedFor) {
  std::mt19937 random(20261122);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 300);
  const std::string valid = recordLine({});
  std::string text;
  constexpr int kLines = 2000;
  int valid_lines = 0;
  int non_blank_garbage = 0;
  for (int line = 0; line < kLines; ++line) {
    if (line % 10 == 0) {
      text += valid;
      ++valid_lines;
      continue;
    }
    std::string garbage;
    const int size = length(random);
    for (int i = 0; i < size; ++i) {
      const char c = static_cast<char>(byte(random));
      garbage += c == '\n' ? ' ' : c;
    }
    if (garbage.find_first_not_of(" \t\r") != std::string::npos) {
      ++non_blank_garbage;
    }
    text += garbage + "\n";
  }
  const ReadResult result = readAll(text);
  EXPECT_EQ(result.entries.size(), static_cast<std::size_t>(valid_lines));
  EXPECT_EQ(result.skipped.size(), static_cast<std::size_t>(non_blank_garbage));
}

TEST(RotatedSiblings, OldestFirstUpToTheFirstGap) {
  testing::TempDir dir;
  const std::string path = dir.file("audit.log");
  for (const char* suffix : {"", ".1", ".2", ".4"}) {
    testing::writeFile(path + suffix, "");
  }
  EXPECT_EQ(rotatedSiblingsOldestFirst(path), (std::vector<std::string>{path + ".2", path + ".1"}));
  EXPECT_TRUE(rotatedSiblingsOldestFirst(dir.file("other.log")).empty());
}

}  // namespace
}  // namespace meshward::audit
