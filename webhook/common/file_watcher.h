#pragma once
// Polls a few files and calls back when any of them changes. A change is any difference in
// existence, device, inode, size, mtime or ctime; stat() follows symlinks, so a Kubernetes
// Secret or ConfigMap swapped through its ..data symlink counts as a change.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>

namespace meshward {

struct FileFingerprint {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  long long mtime_ns = 0;
  long long ctime_ns = 0;

  bool operator==(const FileFingerprint&) const = default;
};

FileFingerprint fingerprintOf(const std::string& path);

class FileWatcher {
 public:
  // Records the files' current state, then polls every `interval` on its own thread and calls
  // `on_change` (on that thread) after each poll that sees a difference.
  FileWatcher(std::vector<std::string> paths, std::chrono::milliseconds interval, std::function<void()> on_change);
  ~FileWatcher();

  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // How many times the files have been looked at so far (tests wait on it instead of the clock).
  std::uint64_t polls() const { return polls_.load(); }

 private:
  std::vector<FileFingerprint> snapshot() const;
  void run();

  const std::vector<std::string> paths_;
  const std::chrono::milliseconds interval_;
  const std::function<void()> on_change_;
  std::vector<FileFingerprint> last_seen_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> polls_{0};
  std::thread thread_;  // last: starts after everything it reads is initialised
};

}  // namespace meshward
