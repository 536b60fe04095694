#pragma once
// Everything `meshward serve` runs, wired together: the policy store and its reloader, the TLS
// reloader, the admission handler, the HTTPS and metrics listeners and readiness, plus the
// orderly shutdown (not ready, stop accepting, finish in-flight requests, flush the audit log).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "policies/policy.h"
#include "webhook/audit/audit_log.h"
#include "webhook/cluster/cluster_state.h"
#include "webhook/common/result.h"
#include "webhook/server/admission_handler.h"
#include "webhook/server/https_server.h"
#include "webhook/server/listen_address.h"
#include "webhook/common/metrics.h"
#include "webhook/server/metrics_server.h"
#include "webhook/server/policy_reloader.h"
#include "webhook/server/policy_store.h"
#include "webhook/server/readiness.h"
#include "webhook/server/tls_reloader.h"

namespace meshward::server {

struct WebhookServerOptions {
  HttpsServerOptions https;
  ListenAddress metrics_listen{"127.0.0.1", 9090};
  std::string policy_file;  // empty: the policy given is not reloaded
  std::chrono::milliseconds reload_interval{1000};
};

struct WebhookServerParts {
  std::shared_ptr<const policies::Policy> policy;
  std::unique_ptr<TlsReloader> tls;
  std::unique_ptr<cluster::ClusterState> cluster;
  std::unique_ptr<audit::AuditLog> audit_log;  // null: no audit
  Evaluator evaluator = engineEvaluator();
};

class WebhookServer {
 public:
  // Starts both listeners. `on_listener_failure` runs if an accept loop dies on its own.
  static Result<std::unique_ptr<WebhookServer>> start(WebhookServerParts parts, const WebhookServerOptions& options,
                                                      Metrics& metrics,
                                                      std::function<void()> on_listener_failure = {});
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  int httpsPort() const { return https_port_; }
  int metricsPort() const { return metrics_port_; }
  std::optional<std::string> notReadyReason() const { return readiness_->notReadyReason(); }

  // Idempotent; returns when every in-flight request has been answered and audited.
  void shutdown();

 private:
  explicit WebhookServer(WebhookServerParts parts);

  WebhookServerParts parts_;
  PolicyStore policies_;
  std::unique_ptr<Readiness> readiness_;
  std::unique_ptr<AdmissionHandler> handler_;
  std::unique_ptr<PolicyReloader> policy_reloader_;
  std::unique_ptr<HttpsServer> https_;  // after everything its requests use
  std::unique_ptr<MetricsServer> metrics_server_;
  int https_port_ = 0;
  int metrics_port_ = 0;
  bool shut_down_ = false;
};

}  // namespace meshward::server
