#pragma once
// Reloads the policy file (--config) when it changes. A good file replaces the policy; a bad one
// is logged with its file:line error and counted, and the previous policy stays in force.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "webhook/common/file_watcher.h"
#include "webhook/common/metrics.h"
#include "webhook/server/policy_store.h"

namespace meshward::server {

class PolicyReloader {
 public:
  // Polls `path` every `interval`; `store` must outlive the reloader.
  PolicyReloader(std::string path, PolicyStore& store, Metrics& metrics, std::chrono::milliseconds interval);
  ~PolicyReloader();
  PolicyReloader(const PolicyReloader&) = delete;
  PolicyReloader& operator=(const PolicyReloader&) = delete;

  // Loads the file now; false (the previous policy kept) when it does not load.
  bool reload();

 private:
  const std::string path_;
  PolicyStore& store_;
  Metrics& metrics_;
  std::mutex reload_mutex_;
  std::unique_ptr<FileWatcher> watcher_;  // last: its thread calls reload()
};

}  // namespace meshward::server
