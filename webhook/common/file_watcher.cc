#include "webhook/common/file_watcher.h"

#include <exception>

#include <spdlog/spdlog.h>

namespace meshward {
namespace {

long long nanoseconds(const struct timespec& time) {
  return static_cast<long long>(time.tv_sec) * 1'000'000'000LL + time.tv_nsec;
}

}  // namespace

FileFingerprint fingerprintOf(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    return {};
  }
  return {true,
          status.st_dev,
          status.st_ino,
          status.st_size,
          nanoseconds(status.st_mtim),
          nanoseconds(status.st_ctim)};
}

FileWatcher::FileWatcher(std::vector<std::string> paths, std::chrono::milliseconds interval,
                         std::function<void()> on_change)
    : paths_(std::move(paths)),
      interval_(interval),
      on_change_(std::move(on_change)),
      last_seen_(snapshot()),
      thread_([this] { run(); }) {}

FileWatcher::~FileWatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::vector<FileFingerprint> FileWatcher::snapshot() const {
  std::vector<FileFingerprint> fingerprints;
  fingerprints.reserve(paths_.size());
  for (const std::string& path : paths_) {
    fingerprints.push_back(fingerprintOf(path));
  }
  return fingerprints;
}

void FileWatcher::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    std::vector<FileFingerprint> current = snapshot();
    polls_.fetch_add(1);
    if (current == last_seen_) {
      continue;
    }
    last_seen_ = std::move(current);
    lock.unlock();
    try {
      on_change_();
    } catch (const std::exception& error) {
      spdlog::error("file watcher: reacting to a change failed: {}", error.what());
    } catch (...) {
      spdlog::error("file watcher: reacting to a change failed with an unknown exception");
    }
    lock.lock();
  }
}

}  // namespace meshward
