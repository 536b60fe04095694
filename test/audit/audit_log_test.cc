#include "webhook/audit/audit_log.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/audit/audit_test_support.h"
#include "webhook/audit/audit_record.h"
#include "webhook/server/metrics_impl.h"

namespace meshward::audit {
namespace {

using nlohmann::json;
using testing::readLines;
using testing::TempDir;

AuditLogOptions fileOnly(const std::string& path, std::uint64_t max_bytes = 100ull << 20, int keep = 5) {
  AuditLogOptions options;
  options.to_stdout = false;
  options.file = path;
  options.max_file_bytes = max_bytes;
  options.keep_files = keep;
  options.max_wait = std::chrono::seconds(30);  // a loaded test machine is not a stalled file
  return options;
}

bool written(const RecordOutcome& outcome) { return outcome.worst == LineOutcome::Written; }

std::string numbered(int writer, int sequence, std::size_t padding = 0) {
  return json{{"writer", writer}, {"sequence", sequence}, {"padding", std::string(padding, 'x')}}.dump();
}

// Every line of every file, oldest file first.
std::vector<json> readAllRecords(const std::string& path, int keep) {
  std::vector<json> records;
  for (int index = keep; index >= 0; --index) {
    const std::string file = index == 0 ? path : path + "." + std::to_string(index);
    for (const std::string& line : readLines(file)) {
      records.push_back(json::parse(line));
    }
  }
  return records;
}


// Points the process's stdout at a file while it lives (an AuditLog opened meanwhile takes its own
// descriptor of it).
class StdoutRedirectedTo {
 public:
  explicit StdoutRedirectedTo(const std::string& path)
      : capture_(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) {
    std::fflush(stdout);
    saved_ = capture_ >= 0 ? ::dup(STDOUT_FILENO) : -1;
    if (saved_ >= 0) {
      ::dup2(capture_, STDOUT_FILENO);
    }
  }
  ~StdoutRedirectedTo() {
    std::fflush(stdout);
    if (saved_ >= 0) {
      ::dup2(saved_, STDOUT_FILENO);
      ::close(saved_);
    }
    if (capture_ >= 0) {
      ::close(capture_);
    }
  }
  StdoutRedirectedTo(const StdoutRedirectedTo&) = delete;
  StdoutRedirectedTo& operator=(const StdoutRedirectedTo&) = delete;

  bool ok() const { return saved_ >= 0; }

 private:
  int capture_;
  int saved_ = -1;
};

TEST(AuditLog, ConcurrentWritersNeverInterleaveLines) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto log = AuditLog::open(fileOnly(path));
  ASSERT_TRUE(log.ok()) << log.error();
  constexpr int kWriters = 8;
  constexpr int kRecordsEach = 400;
  std::vector<std::thread> writers;
  for (int writer = 0; writer < kWriters; ++writer) {
    writers.emplace_back([&, writer] {
      for (int sequence = 0; sequence < kRecordsEach; ++sequence) {
        // Lines of very different sizes make torn or interleaved writes visible.
        EXPECT_TRUE(written((*log)->write(numbered(writer, sequence, static_cast<std::size_t>((sequence * 37) % 5000)))));
      }
    });
  }
  for (std::thread& writer : writers) {
    writer.join();
  }
  (*log)->flush();

  const std::vector<std::string> lines = readLines(path);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kWriters * kRecordsEach));
  std::set<std::pair<int, int>> seen;
  std::vector<int> next_sequence(kWriters, 0);
  for (const std::string& line : lines) {
    const json record = json::parse(line, nullptr, false);
    ASSERT_FALSE(record.is_discarded()) << "not one JSON object per line: " << line.substr(0, 80);
    const int writer = record.at("writer").get<int>();
    const int sequence = record.at("sequence").get<int>();
    EXPECT_EQ(record.at("padding").get<std::string>().size(), static_cast<std::size_t>((sequence * 37) % 5000));
    EXPECT_TRUE(seen.emplace(writer, sequence).second);
    EXPECT_EQ(sequence, next_sequence[writer]++) << "one writer's records out of order";
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kWriters * kRecordsEach));
}

TEST(AuditLog, RotationKeepsExactlyNFilesAndTheNewestRecords) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  constexpr int kKeep = 3;
  constexpr std::uint64_t kMaxBytes = 1000;
  auto log = AuditLog::open(fileOnly(path, kMaxBytes, kKeep));
  ASSERT_TRUE(log.ok()) << log.error();
  constexpr int kRecords = 200;
  for (int sequence = 0; sequence < kRecords; ++sequence) {
    ASSERT_TRUE(written((*log)->write(numbered(0, sequence, 100))));
  }

  EXPECT_TRUE(std::filesystem::exists(path));
  for (int index = 1; index <= kKeep; ++index) {
    const std::string rotated = path + "." + std::to_string(index);
    ASSERT_TRUE(std::filesystem::exists(rotated)) << rotated;
    EXPECT_LE(std::filesystem::file_size(rotated), kMaxBytes);
  }
  EXPECT_FALSE(std::filesystem::exists(path + "." + std::to_string(kKeep + 1)));
  EXPECT_LE(std::filesystem::file_size(path), kMaxBytes);

  // What is kept is a contiguous run of the newest records, oldest file first.
  const std::vector<json> kept = readAllRecords(path, kKeep);
  ASSERT_FALSE(kept.empty());
  for (std::size_t i = 0; i < kept.size(); ++i) {
    EXPECT_EQ(kept[i].at("sequence").get<int>(), kRecords - static_cast<int>(kept.size()) + static_cast<int>(i));
  }
}

TEST(AuditLog, NoRecordIsLostAcrossRotationsUnderConcurrency) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  constexpr int kKeep = 500;
  auto log = AuditLog::open(fileOnly(path, 4096, kKeep));
  ASSERT_TRUE(log.ok()) << log.error();
  constexpr int kWriters = 4;
  constexpr int kRecordsEach = 250;
  std::vector<std::thread> writers;
  for (int writer = 0; writer < kWriters; ++writer) {
    writers.emplace_back([&, writer] {
      for (int sequence = 0; sequence < kRecordsEach; ++sequence) {
        EXPECT_TRUE(written((*log)->write(numbered(writer, sequence, 150))));
      }
    });
  }
  for (std::thread& writer : writers) {
    writer.join();
  }
  const std::vector<json> records = readAllRecords(path, kKeep);
  EXPECT_EQ(records.size(), static_cast<std::size_t>(kWriters * kRecordsEach));
  std::vector<int> next_sequence(kWriters, 0);
  for (const json& record : records) {
    const int writer = record.at("writer").get<int>();
    EXPECT_EQ(record.at("sequence").get<int>(), next_sequence[writer]++);
  }
  EXPECT_TRUE(std::filesystem::exists(path + ".2"));
}

TEST(AuditLog, LineLargerThanTheLimitIsStillWritten) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto log = AuditLog::open(fileOnly(path, 100, 2));
  ASSERT_TRUE(log.ok()) << log.error();
  ASSERT_TRUE(written((*log)->write(numbered(0, 0, 500))));
  ASSERT_EQ(readLines(path).size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(path + ".1"));

  ASSERT_TRUE(written((*log)->write(numbered(0, 1, 10))));
  ASSERT_EQ(readLines(path + ".1").size(), 1u);
  EXPECT_EQ(json::parse(readLines(path + ".1")[0]).at("sequence"), 0);
  EXPECT_EQ(json::parse(readLines(path)[0]).at("sequence"), 1);
}

TEST(AuditLog, AppendsToAnExistingFileAndCountsItsSize) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  testing::writeFile(path, std::string(900, 'o') + "\n");
  auto log = AuditLog::open(fileOnly(path, 1000, 1));
  ASSERT_TRUE(log.ok()) << log.error();
  ASSERT_TRUE(written((*log)->write(numbered(0, 0, 200))));
  ASSERT_EQ(readLines(path + ".1").size(), 1u);
  EXPECT_EQ(readLines(path + ".1")[0], std::string(900, 'o'));
  ASSERT_EQ(readLines(path).size(), 1u);
}

TEST(AuditLog, KeepZeroDropsTheFullFile) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto log = AuditLog::open(fileOnly(path, 100, 0));
  ASSERT_TRUE(log.ok()) << log.error();
  ASSERT_TRUE(written((*log)->write(numbered(0, 0, 80))));
  ASSERT_TRUE(written((*log)->write(numbered(0, 1, 80))));
  EXPECT_FALSE(std::filesystem::exists(path + ".1"));
  ASSERT_EQ(readLines(path).size(), 1u);
  EXPECT_EQ(json::parse(readLines(path)[0]).at("sequence"), 1);
}

TEST(AuditLog, CreatesTheFileWithMode0640) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  const mode_t previous = ::umask(022);
  auto log = AuditLog::open(fileOnly(path));
  ::umask(previous);
  ASSERT_TRUE(log.ok()) << log.error();
  struct stat status {};
  ASSERT_EQ(::stat(path.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0640u);
}

TEST(AuditLog, UnwritablePathIsAnErrorValue) {
  TempDir dir;
  const std::string missing_dir = dir.file("no-such-dir/audit.log");
  auto in_missing_dir = AuditLog::open(fileOnly(missing_dir));
  ASSERT_FALSE(in_missing_dir.ok());
  EXPECT_NE(in_missing_dir.error().find(missing_dir), std::string::npos) << in_missing_dir.error();

  auto a_directory = AuditLog::open(fileOnly(dir.path().string()));
  EXPECT_FALSE(a_directory.ok());

  const std::string writable = dir.file("ok.log");
  EXPECT_TRUE(AuditLog::open(fileOnly(writable)).ok());
}

TEST(AuditLog, InvalidOptionsAreErrorValues) {
  TempDir dir;
  EXPECT_FALSE(AuditLog::open(fileOnly(dir.file("a.log"), 0, 5)).ok());
  EXPECT_FALSE(AuditLog::open(fileOnly(dir.file("a.log"), 1000, -1)).ok());
  EXPECT_TRUE(AuditLog::open(fileOnly(dir.file("a.log"), 1000, 0)).ok());
}

TEST(AuditLog, FullDiskMakesWriteReturnFalse) {
  if (!std::filesystem::exists("/dev/full")) {
    GTEST_SKIP() << "/dev/full is not available";
  }
  auto log = AuditLog::open(fileOnly("/dev/full", 10, 2));
  ASSERT_TRUE(log.ok()) << log.error();
  EXPECT_FALSE(written((*log)->write(numbered(0, 0, 100))));
  EXPECT_FALSE(written((*log)->write(numbered(0, 1, 100))));
  (*log)->flush();
}

TEST(AuditLog, ARecordNoDestinationTookIsLoggedWholeAtMostOnceASecond) {
  if (!std::filesystem::exists("/dev/full")) {
    GTEST_SKIP() << "/dev/full is not available";
  }
  testing::CapturedLog captured;
  server::MetricsImpl metrics;
  {
    auto log = AuditLog::open(fileOnly("/dev/full"), &metrics);
    ASSERT_TRUE(log.ok()) << log.error();
    const RecordOutcome first = (*log)->write(numbered(0, 0));
    EXPECT_EQ(first.best, LineOutcome::Failed);
    EXPECT_FALSE(first.reachedAny());
    EXPECT_EQ(first.unreached, "file: write failed");
    for (int sequence = 1; sequence < 10; ++sequence) {
      EXPECT_FALSE((*log)->write(numbered(0, sequence)).reachedAny());
    }
  }
  EXPECT_EQ(metrics.auditWriteErrors("file"), 10u);
  EXPECT_NE(captured.text().find("reached no audit destination (file: write failed); here it is: " + numbered(0, 0)),
            std::string::npos)
      << captured.text();
  EXPECT_LE(captured.linesContaining("here it is"), 2u) << "rate limited, not one line per record";
}

TEST(AuditLog, ARecordOneDestinationTookHasReachedSomewhere) {
  if (!std::filesystem::exists("/dev/full")) {
    GTEST_SKIP() << "/dev/full is not available";
  }
  TempDir dir;
  const std::string captured = dir.file("stdout");
  AuditLogOptions options = fileOnly("/dev/full");
  options.to_stdout = true;
  RecordOutcome outcome;
  {
    const StdoutRedirectedTo redirect(captured);
    ASSERT_TRUE(redirect.ok());
    const testing::CapturedLog not_on_stdout;
    auto log = AuditLog::open(options);
    if (log.ok()) {
      outcome = (*log)->write(numbered(3, 1));
    }
  }

  EXPECT_EQ(outcome.worst, LineOutcome::Failed);
  EXPECT_EQ(outcome.best, LineOutcome::Written);
  EXPECT_TRUE(outcome.reachedAny());
  EXPECT_TRUE(outcome.unreached.empty());
  EXPECT_EQ(readLines(captured).size(), 1u);
}

TEST(AuditLog, InvalidUtf8IsReplacedInsteadOfThrowing) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto log = AuditLog::open(fileOnly(path));
  ASSERT_TRUE(log.ok()) << log.error();
  admission::AdmissionRequest request;
  request.facts.user = std::string("bad\xff\xfe" "byte");
  ASSERT_TRUE(written((*log)->write(
      auditLine(request, admission::Decision{}, "validate", std::chrono::system_clock::now(), 0, "h"))));
  const auto lines = readLines(path);
  ASSERT_EQ(lines.size(), 1u);
  const json record = json::parse(lines[0], nullptr, false);
  ASSERT_FALSE(record.is_discarded());
  EXPECT_EQ(record.at("user").get<std::string>(), "bad\xEF\xBF\xBD\xEF\xBF\xBD" "byte");
}

TEST(AuditLog, WritesToStdoutWhenAsked) {
  TempDir dir;
  const std::string captured = dir.file("stdout");
  AuditLogOptions options = fileOnly(dir.file("audit.log"));
  options.to_stdout = true;
  bool stdout_written = false;
  {
    const StdoutRedirectedTo redirect(captured);
    ASSERT_TRUE(redirect.ok());
    auto log = AuditLog::open(options);
    stdout_written = log.ok() && written((*log)->write(numbered(7, 1)));
  }

  EXPECT_TRUE(stdout_written);
  const auto stdout_lines = readLines(captured);
  ASSERT_EQ(stdout_lines.size(), 1u);
  EXPECT_EQ(json::parse(stdout_lines[0]).at("writer"), 7);
  EXPECT_EQ(readLines(options.file), stdout_lines);
}

// Reads newline-terminated lines from a non-blocking descriptor until `count` have arrived or
// nothing has come for `quiet`.
std::vector<std::string> readLinesFrom(int fd, std::size_t count, std::chrono::milliseconds quiet) {
  std::vector<std::string> lines;
  std::string partial;
  char buffer[65536];
  while (lines.size() < count) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(quiet.count())) <= 0) {
      break;
    }
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got <= 0) {
      continue;
    }
    partial.append(buffer, static_cast<std::size_t>(got));
    for (std::size_t end = partial.find('\n'); end != std::string::npos; end = partial.find('\n')) {
      lines.push_back(partial.substr(0, end));
      partial.erase(0, end + 1);
    }
  }
  return lines;
}

TEST(AuditLog, AFifoNobodyReadsNeverStallsWritesAndEveryQueuedRecordArrivesLater) {
  TempDir dir;
  const std::string path = dir.file("audit.fifo");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  server::MetricsImpl metrics;
  AuditLogOptions options = fileOnly(path);
  options.max_wait = std::chrono::milliseconds(20);
  options.max_queued = 4;
  auto log = AuditLog::open(options, &metrics);
  ASSERT_TRUE(log.ok()) << log.error();

  // 16 KiB records: the pipe (64 KiB) fills after a few and the writer thread blocks in write(2).
  std::vector<int> kept;
  std::size_t queued = 0;
  std::uint64_t dropped = 0;
  for (int sequence = 0; sequence < 40; ++sequence) {
    const LineOutcome outcome = (*log)->write(numbered(0, sequence, 16384)).worst;
    ASSERT_NE(outcome, LineOutcome::Failed);
    queued += outcome == LineOutcome::Queued ? 1 : 0;
    dropped += outcome == LineOutcome::Dropped ? 1 : 0;
    if (outcome != LineOutcome::Dropped) {
      kept.push_back(sequence);
    }
  }
  EXPECT_GT(queued, 0u);
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ((*log)->dropped(), dropped);
  EXPECT_EQ(metrics.auditDropped("file"), dropped);
  EXPECT_EQ(metrics.auditBacklog("file"), 4.0);

  const std::vector<std::string> arrived = readLinesFrom(reader, kept.size(), std::chrono::seconds(30));
  ::close(reader);
  std::vector<int> sequences;
  for (const std::string& line : arrived) {
    sequences.push_back(json::parse(line).at("sequence").get<int>());
  }
  EXPECT_EQ(sequences, kept);
  EXPECT_EQ((*log)->backlog(), 0u);
  EXPECT_EQ(metrics.auditBacklog("file"), 0.0);
}

}  // namespace
}  // namespace meshward::audit
