#include "webhook/server/webhook_server.h"

#include <spdlog/spdlog.h>

namespace meshward::server {

WebhookServer::WebhookServer(WebhookServerParts parts) : parts_(std::move(parts)), policies_(parts_.policy) {}

WebhookServer::~WebhookServer() { shutdown(); }

Result<std::unique_ptr<WebhookServer>> WebhookServer::start(WebhookServerParts parts,
                                                            const WebhookServerOptions& options, Metrics& metrics,
                                                            std::function<void()> on_listener_failure) {
  if (!parts.policy || !parts.tls || !parts.cluster) {
    return Error{"the server needs a policy, a TLS pair and a cluster state"};
  }
  std::unique_ptr<WebhookServer> server(new WebhookServer(std::move(parts)));
  WebhookServer& self = *server;
  self.readiness_ = std::make_unique<Readiness>(self.policies_, *self.parts_.tls, *self.parts_.cluster);
  self.handler_ = std::make_unique<AdmissionHandler>(self.policies_, *self.parts_.cluster,
                                                     self.parts_.audit_log.get(), metrics, self.parts_.evaluator);
  if (!options.policy_file.empty()) {
    self.policy_reloader_ =
        std::make_unique<PolicyReloader>(options.policy_file, self.policies_, metrics, options.reload_interval);
  }

  const AdmissionHandler& handler = *self.handler_;
  const Readiness& readiness = *self.readiness_;
  WebhookRoutes routes{
      [&handler](std::string_view body) { return handler.handle(policies::RuleType::Validating, body); },
      [&handler](std::string_view body) { return handler.handle(policies::RuleType::Mutating, body); },
      [&readiness] { return readiness.notReadyReason(); },
  };
  auto https = HttpsServer::create(options.https, *self.parts_.tls, std::move(routes), metrics, on_listener_failure);
  if (!https) {
    return Error{https.error()};
  }
  self.https_ = std::move(*https);
  auto https_port = self.https_->start();
  if (!https_port) {
    return Error{https_port.error()};
  }
  self.https_port_ = *https_port;

  self.metrics_server_ = std::make_unique<MetricsServer>(metrics);
  auto metrics_port = self.metrics_server_->start(options.metrics_listen);
  if (!metrics_port) {
    return Error{metrics_port.error()};
  }
  self.metrics_port_ = *metrics_port;
  return server;
}

void WebhookServer::shutdown() {
  if (shut_down_) {
    return;
  }
  shut_down_ = true;
  if (readiness_) {
    readiness_->markShuttingDown();
  }
  if (https_) {
    https_->stop();
  }
  policy_reloader_.reset();
  if (metrics_server_) {
    metrics_server_->stop();
  }
  if (parts_.audit_log) {
    parts_.audit_log->flush();
  }
}

}  // namespace meshward::server
