#pragma once
// What /readyz reports: ready once a policy and a TLS pair are loaded and the cluster state can
// answer, and not ready again from the moment shutdown begins (so the endpoint is drained).

#include <atomic>
#include <optional>
#include <string>

#include "webhook/cluster/cluster_state.h"
#include "webhook/server/policy_store.h"
#include "webhook/server/tls_reloader.h"

namespace meshward::server {

class Readiness {
 public:
  Readiness(const PolicyStore& policies, const TlsReloader& tls, const cluster::ClusterState& cluster)
      : policies_(policies), tls_(tls), cluster_(cluster) {}

  void markShuttingDown() { shutting_down_.store(true); }

  // nullopt when ready; otherwise why not.
  std::optional<std::string> notReadyReason() const;

 private:
  const PolicyStore& policies_;
  const TlsReloader& tls_;
  const cluster::ClusterState& cluster_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace meshward::server
