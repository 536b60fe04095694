#include "webhook/common/file_watcher.h"

#include <atomic>
#include <filesystem>

#include <gtest/gtest.h>

#include "test/server/server_test_support.h"

namespace meshward::server {
namespace {

using testing::ScratchDirectory;
using testing::waitUntil;

constexpr auto kInterval = std::chrono::milliseconds(10);

TEST(FileWatcherTest, ReportsAnInPlaceRewrite) {
  ScratchDirectory directory;
  const std::string file = directory.write("policy.yaml", "a: 1\n");
  std::atomic<int> changes{0};
  FileWatcher watcher({file}, kInterval, [&] { ++changes; });
  directory.write("policy.yaml", "a: 22\n");
  EXPECT_TRUE(waitUntil([&] { return changes.load() >= 1; }));
}

TEST(FileWatcherTest, ReportsAReplacementByRename) {
  ScratchDirectory directory;
  const std::string file = directory.write("cert.pem", "one");
  std::atomic<int> changes{0};
  FileWatcher watcher({file}, kInterval, [&] { ++changes; });
  const std::string replacement = directory.write("cert.pem.new", "two");
  std::filesystem::rename(replacement, file);
  EXPECT_TRUE(waitUntil([&] { return changes.load() >= 1; }));
}

TEST(FileWatcherTest, ReportsAKubernetesStyleSymlinkSwap) {
  // A mounted Secret: tls.crt -> ..data/tls.crt, ..data -> ..2024_01 (swapped atomically).
  ScratchDirectory directory;
  directory.write("..2024_01/tls.crt", "old");
  directory.write("..2024_02/tls.crt", "new");
  const auto root = directory.path();
  std::filesystem::create_directory_symlink("..2024_01", root / "..data");
  std::filesystem::create_symlink("..data/tls.crt", root / "tls.crt");
  std::atomic<int> changes{0};
  FileWatcher watcher({(root / "tls.crt").string()}, kInterval, [&] { ++changes; });
  std::filesystem::create_directory_symlink("..2024_02", root / "..data_tmp");
  std::filesystem::rename(root / "..data_tmp", root / "..data");
  EXPECT_TRUE(waitUntil([&] { return changes.load() >= 1; }));
}

TEST(FileWatcherTest, ReportsDeletionAndReappearance) {
  ScratchDirectory directory;
  const std::string file = directory.write("key.pem", "k");
  std::atomic<int> changes{0};
  FileWatcher watcher({file}, kInterval, [&] { ++changes; });
  std::filesystem::remove(file);
  ASSERT_TRUE(waitUntil([&] { return changes.load() == 1; }));
  directory.write("key.pem", "k");
  EXPECT_TRUE(waitUntil([&] { return changes.load() >= 2; }));
}

TEST(FileWatcherTest, StaysQuietWhenNothingChanges) {
  ScratchDirectory directory;
  const std::string file = directory.write("same.pem", "same");
  std::atomic<int> changes{0};
  FileWatcher watcher({file}, kInterval, [&] { ++changes; });
  ASSERT_TRUE(waitUntil([&] { return watcher.polls() >= 5; }));
  EXPECT_EQ(changes.load(), 0);
}

TEST(FileWatcherTest, AThrowingCallbackDoesNotStopTheWatcher) {
  ScratchDirectory directory;
  const std::string file = directory.write("policy.yaml", "1");
  std::atomic<int> calls{0};
  FileWatcher watcher({file}, kInterval, [&] {
    ++calls;
    throw std::runtime_error("reload exploded");
  });
  directory.write("policy.yaml", "22");
  ASSERT_TRUE(waitUntil([&] { return calls.load() >= 1; }));
  const int before = calls.load();
  directory.write("policy.yaml", "333");
  EXPECT_TRUE(waitUntil([&] { return calls.load() > before; }));
}

TEST(FileFingerprintTest, MissingFileHasAnEmptyFingerprint) {
  EXPECT_EQ(fingerprintOf("/nonexistent/meshward/file"), FileFingerprint{});
  ScratchDirectory directory;
  const std::string file = directory.write("f", "x");
  EXPECT_TRUE(fingerprintOf(file).exists);
}

}  // namespace
}  // namespace meshward::server
