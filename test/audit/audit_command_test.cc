#include "webhook/cli/audit_command.h"

#include <sys/wait.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/audit/audit_test_support.h"

namespace meshward::cli {
namespace {

using namespace std::chrono_literals;
using audit::testing::at;
using audit::testing::RecordSpec;
using audit::testing::recordLine;
using audit::testing::TempDir;
using audit::testing::writeFile;
using nlohmann::json;
using policies::Action;

const auto kNow = at("2026-11-22T12:00:00Z");

struct CommandRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CommandRun runCommand(const std::vector<std::string>& args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  CommandRun run;
  run.exit_code = runAuditCommand(args, in, out, err, kNow);
  run.out = out.str();
  run.err = err.str();
  return run;
}

RecordSpec named(const std::string& name, const std::string& time) {
  RecordSpec spec;
  spec.name = name;
  spec.time = time;
  return spec;
}

std::size_t countOf(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at_position = text.find(needle); at_position != std::string::npos;
       at_position = text.find(needle, at_position + 1)) {
    ++count;
  }
  return count;
}

TEST(AuditCommand, HelpDocumentsRotatedFilesAndExitsZero) {
  const CommandRun run = runCommand({"--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("Usage: meshward audit"), std::string::npos);
  EXPECT_NE(run.out.find("FILE.N ... FILE.1"), std::string::npos);
}

TEST(AuditCommand, UsageErrorsExitTwoWithAMessage) {
  TempDir dir;
  const std::string log = dir.file("audit.log");
  writeFile(log, recordLine({}));
  const std::vector<std::vector<std::string>> usage_errors = {
      {},
      {"--frobnicate", log},
      {"-o", "yaml", log},
      {"--decision", "maybe", log},
      {"--since", "yesterday", log},
      {"--since", "-1h", log},
      {"--user"},
  };
  for (const auto& args : usage_errors) {
    const CommandRun run = runCommand(args);
    EXPECT_EQ(run.exit_code, 2) << ::testing::PrintToString(args);
    EXPECT_NE(run.err.find("meshward audit: "), std::string::npos);
    EXPECT_TRUE(run.out.empty());
  }
  EXPECT_EQ(runCommand({"--since", "7d", "--decision", "denied", "-o", "json", log}).exit_code, 0);
}

TEST(AuditCommand, UnreadableFilesExitTwoNamingTheFile) {
  TempDir dir;
  const std::string good = dir.file("audit.log");
  writeFile(good, recordLine({}));
  const std::string missing = dir.file("missing.log");
  CommandRun run = runCommand({good, missing});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(missing), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty()) << "nothing is printed before every file could be opened";

  run = runCommand({dir.path().string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("is a directory"), std::string::npos) << run.err;
}

TEST(AuditCommand, CorruptLinesAreReportedSkippedAndCounted) {
  TempDir dir;
  const std::string log = dir.file("audit.log");
  writeFile(log, recordLine(named("one", "2026-11-22T10:00:00.000Z")) + "garbage\n" +
                     recordLine(named("two", "2026-11-22T10:01:00.000Z")) + "{\"time\": 1}\n");
  const CommandRun run = runCommand({log});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.err.find(log + ":2: skipped: not JSON"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(log + ":4: skipped: time is not a string"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("skipped 2 corrupt lines"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("default/one"), std::string::npos);
  EXPECT_NE(run.out.find("default/two"), std::string::npos);
  EXPECT_NE(run.out.find("2 records, 2 allowed, 0 denied, 0 break-glass (2 corrupt lines skipped)"),
            std::string::npos)
      << run.out;
}

TEST(AuditCommand, ReadsRotatedFilesOldestFirstAndEachFileOnce) {
  TempDir dir;
  const std::string log = dir.file("audit.log");
  writeFile(log + ".2", recordLine(named("oldest", "2026-11-22T09:00:00.000Z")));
  writeFile(log + ".1", recordLine(named("middle", "2026-11-22T10:00:00.000Z")));
  writeFile(log, recordLine(named("newest", "2026-11-22T11:00:00.000Z")));

  CommandRun run = runCommand({log});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto oldest = run.out.find("default/oldest");
  const auto middle = run.out.find("default/middle");
  const auto newest = run.out.find("default/newest");
  ASSERT_NE(oldest, std::string::npos);
  ASSERT_NE(newest, std::string::npos);
  EXPECT_LT(oldest, middle);
  EXPECT_LT(middle, newest);

  run = runCommand({log, log + ".1", log + ".2", log});  // as a shell glob would name them
  EXPECT_EQ(countOf(run.out, "default/middle"), 1u);
  EXPECT_NE(run.out.find("3 records"), std::string::npos);

  run = runCommand({"--no-rotated", log});
  EXPECT_EQ(run.out.find("default/oldest"), std::string::npos);
  EXPECT_NE(run.out.find("1 record,"), std::string::npos) << run.out;
}

TEST(AuditCommand, ReadsStandardInput) {
  const CommandRun run = runCommand({"-", "-"}, recordLine(named("piped", "2026-11-22T11:00:00.000Z")) + "oops\n");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(countOf(run.out, "default/piped"), 1u);
  EXPECT_NE(run.err.find("<stdin>:2: skipped"), std::string::npos) << run.err;
}

TEST(AuditCommand, FiltersCombineAndSinceIsRelativeToNow) {
  TempDir dir;
  const std::string log = dir.file("audit.log");
  RecordSpec old_denied = named("old-denied", "2026-11-20T12:00:00.000Z");
  old_denied.allowed = false;
  old_denied.findings = {{"subset-exists", Action::Deny}};
  RecordSpec recent_denied = named("recent-denied", "2026-11-22T11:00:00.000Z");
  recent_denied.allowed = false;
  recent_denied.user = "bob";
  recent_denied.findings = {{"subset-exists", Action::Deny}};
  RecordSpec recent_allowed = named("recent-allowed", "2026-11-22T11:30:00.000Z");
  writeFile(log, recordLine(old_denied) + recordLine(recent_denied) + recordLine(recent_allowed));

  CommandRun run = runCommand({"--since", "24h", log});
  EXPECT_EQ(run.out.find("old-denied"), std::string::npos);
  EXPECT_NE(run.out.find("recent-denied"), std::string::npos);
  EXPECT_NE(run.out.find("recent-allowed"), std::string::npos);

  run = runCommand({"--since", "3d", "--decision", "denied", log});
  EXPECT_NE(run.out.find("old-denied"), std::string::npos);
  EXPECT_EQ(run.out.find("recent-allowed"), std::string::npos);

  run = runCommand({"--rule", "subset-exists", "--user", "bob", log});
  EXPECT_EQ(run.out.find("old-denied"), std::string::npos);
  EXPECT_NE(run.out.find("recent-denied"), std::string::npos);
  EXPECT_NE(run.out.find("1 record, 0 allowed, 1 denied"), std::string::npos) << run.out;
}

TEST(AuditCommand, JsonOutputHoldsTheRecordsAndTheSummary) {
  TempDir dir;
  const std::string log = dir.file("audit.log");
  RecordSpec bypass = named("bypassed", "2026-11-21T06:00:00.000Z");
  bypass.break_glass_reason = "INC-7 hotfix";
  bypass.bypassed_rules = {"subset-exists"};
  RecordSpec denied = named("denied", "2026-11-22T11:00:00.000Z");
  denied.allowed = false;
  denied.findings = {{"subset-exists", Action::Deny}};
  writeFile(log, recordLine(bypass) + recordLine(denied) + "not json\n");

  const CommandRun run = runCommand({"-o", "json", log});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json document = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(document.is_discarded()) << run.out;
  ASSERT_EQ(document["records"].size(), 2u);
  EXPECT_EQ(document["records"][0]["name"], "bypassed");
  EXPECT_EQ(document["records"][1]["decision"], "denied");
  const json& summary = document["summary"];
  EXPECT_EQ(summary["total"], 2);
  EXPECT_EQ(summary["allowed"], 1);
  EXPECT_EQ(summary["denied"], 1);
  EXPECT_EQ(summary["skippedLines"], 1);
  EXPECT_EQ(summary["byRule"]["subset-exists"]["fired"], 2);
  EXPECT_EQ(summary["byUser"]["alice"]["total"], 2);
  ASSERT_EQ(summary["breakGlass"].size(), 1u);
  EXPECT_EQ(summary["breakGlass"][0]["ageSeconds"], 30 * 3600);
  EXPECT_EQ(summary["breakGlass"][0]["reconcileWithGit"], true);
  EXPECT_EQ(summary["breakGlass"][0]["reason"], "INC-7 hotfix");

  const CommandRun empty = runCommand({"-o", "json", "--user", "nobody", log});
  const json nothing = json::parse(empty.out, nullptr, false);
  ASSERT_FALSE(nothing.is_discarded()) << empty.out;
  EXPECT_EQ(nothing["records"], json::array());
  EXPECT_EQ(nothing["summary"]["total"], 0);
}

TEST(AuditCommand, BreakGlassListsEveryBypassWithItsAge) {
  TempDir dir;
  const std::string log = dir.file("audit.log");
  RecordSpec recent = named("recent", "2026-11-22T09:00:00.000Z");
  recent.user = "oncall";
  recent.break_glass_reason = "INC-9 rollback";
  recent.bypassed_rules = {"subset-exists", "sidecar-memory"};
  RecordSpec old = named("old", "2026-11-20T12:00:00.000Z");
  old.break_glass_reason = "INC-3";
  old.bypassed_rules = {"subset-exists"};
  writeFile(log, recordLine(recent) + recordLine(named("plain", "2026-11-22T10:00:00.000Z")) + recordLine(old));

  const CommandRun run = runCommand({"--break-glass", log});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.find("default/plain"), std::string::npos);
  EXPECT_NE(run.out.find("(3h ago)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("by oncall"), std::string::npos);
  EXPECT_NE(run.out.find("bypassed: subset-exists, sidecar-memory"), std::string::npos);
  EXPECT_NE(run.out.find("reason: INC-9 rollback"), std::string::npos);
  EXPECT_NE(run.out.find("(2d 0h ago)"), std::string::npos) << run.out;
  EXPECT_EQ(countOf(run.out, "reconcile with Git"), 1u);
}

TEST(AuditCommand, TheBinaryRunsTheSameCommand) {
  TempDir dir;
  const std::string missing = dir.file("missing.log");
  const std::string command = std::string(MESHWARD_BINARY) + " audit '" + missing + "' 2>/dev/null";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);

  const std::string log = dir.file("audit.log");
  writeFile(log, recordLine({}));
  const int ok = std::system((std::string(MESHWARD_BINARY) + " audit -o json '" + log + "' >/dev/null").c_str());
  ASSERT_TRUE(WIFEXITED(ok));
  EXPECT_EQ(WEXITSTATUS(ok), 0);
}

}  // namespace
}  // namespace meshward::cli
