#include "webhook/server/policy_reloader.h"

#include <spdlog/spdlog.h>

#include "policies/policy.h"

namespace meshward::server {

PolicyReloader::PolicyReloader(std::string path, PolicyStore& store, Metrics& metrics,
                               std::chrono::milliseconds interval)
    : path_(std::move(path)),
      store_(store),
      metrics_(metrics),
      watcher_(std::make_unique<FileWatcher>(std::vector<std::string>{path_}, interval, [this] { reload(); })) {}

PolicyReloader::~PolicyReloader() { watcher_.reset(); }

bool PolicyReloader::reload() {
  std::lock_guard lock(reload_mutex_);
  auto policy = policies::loadPolicyFile(path_);
  if (!policy) {
    spdlog::error("policy reload failed, the previous policy stays in force: {}", policy.error());
    metrics_.recordPolicyReload(false);
    return false;
  }
  const std::string hash = policy->hash;
  store_.replace(std::make_shared<const policies::Policy>(std::move(*policy)));
  metrics_.recordPolicyReload(true);
  spdlog::info("policy reloaded from {} ({})", path_, hash);
  return true;
}

}  // namespace meshward::server
