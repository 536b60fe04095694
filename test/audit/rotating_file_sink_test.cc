#include "webhook/audit/rotating_file_sink.h"

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/audit/audit_test_support.h"
#include "webhook/audit/audit_log.h"
#include "webhook/server/metrics_impl.h"

namespace meshward::audit {
namespace {

using nlohmann::json;
using testing::CapturedLog;
using testing::readLines;
using testing::TempDir;

AuditLogOptions fileOnly(const std::string& path) {
  AuditLogOptions options;
  options.to_stdout = false;
  options.file = path;
  options.max_wait = std::chrono::seconds(30);
  return options;
}

std::string record(int sequence, std::size_t padding = 0) {
  return json{{"sequence", sequence}, {"padding", std::string(padding, 'x')}}.dump();
}

// The sequence numbers in the file, one JSON object per line (-1 for a line that is not one).
std::vector<int> sequencesIn(const std::string& path) {
  std::vector<int> sequences;
  for (const std::string& line : readLines(path)) {
    const json parsed = json::parse(line, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << path << " holds a line that is not JSON: " << line.substr(0, 80);
    sequences.push_back(parsed.is_discarded() ? -1 : parsed.at("sequence").get<int>());
  }
  return sequences;
}

// The kernel takes writes to regular files only up to `bytes` (the rest of a write is refused
// with EFBIG), as a disk filling up in the middle of a line refuses it with ENOSPC.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::uintmax_t bytes) : previous_handler_(std::signal(SIGXFSZ, SIG_IGN)) {
    ::getrlimit(RLIMIT_FSIZE, &previous_);
    const rlimit limited{static_cast<rlim_t>(bytes), previous_.rlim_max};
    ::setrlimit(RLIMIT_FSIZE, &limited);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &previous_);
    std::signal(SIGXFSZ, previous_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit previous_{};
  void (*previous_handler_)(int);
};

class RotatingFileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("audit.log");
    open();
  }
  void open() {
    auto log = AuditLog::open(fileOnly(path_), &metrics_);
    ASSERT_TRUE(log.ok()) << log.error();
    log_ = std::move(*log);
  }
  LineOutcome write(int sequence, std::size_t padding = 0) { return log_->write(record(sequence, padding)).worst; }

  TempDir dir_;
  std::string path_;
  server::MetricsImpl metrics_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(RotatingFileSinkTest, ARemovedFileIsCreatedAgainForTheNextRecords) {
  ASSERT_EQ(write(0), LineOutcome::Written);
  ASSERT_EQ(write(1), LineOutcome::Written);
  ASSERT_TRUE(std::filesystem::remove(path_));

  EXPECT_EQ(write(2), LineOutcome::Written);
  EXPECT_EQ(write(3), LineOutcome::Written);
  EXPECT_EQ(sequencesIn(path_), (std::vector<int>{2, 3}));
  EXPECT_EQ(metrics_.auditWriteErrors("file"), 0u);
}

TEST_F(RotatingFileSinkTest, AFileRenamedAwayKeepsWhatItHadAndANewFileTakesTheRest) {
  ASSERT_EQ(write(0), LineOutcome::Written);
  ASSERT_EQ(write(1), LineOutcome::Written);
  const std::string rotated = path_ + "-20260101";
  ASSERT_EQ(std::rename(path_.c_str(), rotated.c_str()), 0);

  EXPECT_EQ(write(2), LineOutcome::Written);
  EXPECT_EQ(sequencesIn(rotated), (std::vector<int>{0, 1}));
  EXPECT_EQ(sequencesIn(path_), (std::vector<int>{2}));
}

TEST_F(RotatingFileSinkTest, AFileAnotherProgramPutInItsPlaceIsAppendedTo) {
  ASSERT_EQ(write(0), LineOutcome::Written);
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".old").c_str()), 0);
  testing::writeFile(path_, record(100) + "\n");  // logrotate's "create"

  EXPECT_EQ(write(1), LineOutcome::Written);
  EXPECT_EQ(sequencesIn(path_), (std::vector<int>{100, 1}));
  EXPECT_EQ(sequencesIn(path_ + ".old"), (std::vector<int>{0}));
}

TEST_F(RotatingFileSinkTest, ALineTheDiskTookOnlyInPartIsCutOffSoTheFileStaysJsonLines) {
  CapturedLog captured;
  for (int sequence = 0; sequence < 3; ++sequence) {
    ASSERT_EQ(write(sequence, 300), LineOutcome::Written);
  }
  const std::uintmax_t whole_lines = std::filesystem::file_size(path_);
  {
    const FileSizeLimit room_for_part_of_a_line(whole_lines + 100);
    EXPECT_EQ(write(3, 300), LineOutcome::Failed);
  }
  EXPECT_EQ(std::filesystem::file_size(path_), whole_lines) << "the part that fitted is cut off again";
  EXPECT_EQ(metrics_.auditWriteErrors("file"), 1u);
  EXPECT_EQ(metrics_.auditWriteFailures(), 1u);

  EXPECT_EQ(write(4, 300), LineOutcome::Written) << "room again: written without a restart";
  EXPECT_EQ(sequencesIn(path_), (std::vector<int>{0, 1, 2, 4}));
  EXPECT_EQ(captured.linesContaining("cannot write audit records (File too large)"), 1u) << captured.text();
  EXPECT_EQ(captured.linesContaining("writable again; 1 records could not be written"), 1u) << captured.text();
}

TEST_F(RotatingFileSinkTest, APathThatCannotBeReopenedFailsEachRecordLogsOnceAndRecoversWithoutRestart) {
  const std::filesystem::path directory = dir_.path() / "volume";
  std::filesystem::create_directory(directory);
  path_ = (directory / "audit.log").string();
  open();
  ASSERT_EQ(write(0), LineOutcome::Written);

  CapturedLog captured;
  std::filesystem::remove_all(directory);
  constexpr int kWhileMissing = 20;
  for (int sequence = 1; sequence <= kWhileMissing; ++sequence) {
    const RecordOutcome outcome = log_->write(record(sequence));
    EXPECT_EQ(outcome.worst, LineOutcome::Failed);
    EXPECT_FALSE(outcome.reachedAny());
    EXPECT_EQ(outcome.unreached, "file: write failed");
  }
  EXPECT_EQ(metrics_.auditWriteErrors("file"), static_cast<std::uint64_t>(kWhileMissing));

  std::filesystem::create_directory(directory);
  EXPECT_EQ(write(21), LineOutcome::Written);
  EXPECT_EQ(sequencesIn(path_), (std::vector<int>{21}));
  EXPECT_EQ(metrics_.auditWriteErrors("file"), static_cast<std::uint64_t>(kWhileMissing));

  EXPECT_EQ(captured.linesContaining("is gone (removed, or renamed by a rotation)"), 1u) << captured.text();
  EXPECT_EQ(captured.linesContaining("cannot open " + path_), 1u) << "not one line per record: " << captured.text();
  EXPECT_EQ(captured.linesContaining("is open again after 20 failed attempts"), 1u) << captured.text();
  EXPECT_EQ(captured.linesContaining("writable again; 20 records could not be written"), 1u) << captured.text();
}

TEST(OpenAuditFile, ADirectoryIsRefusedWithItsName) {
  TempDir dir;
  const auto sink = openAuditFile({dir.path().string()});
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.error().find(dir.path().string()), std::string::npos) << sink.error();
}

}  // namespace
}  // namespace meshward::audit
