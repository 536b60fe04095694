#pragma once
// The plain-HTTP metrics listener (--metrics-listen, default 127.0.0.1:9090): GET /metrics in
// the Prometheus text format; anything else is a JSON 404 or 405.

#include <memory>

#include <httplib.h>

#include "webhook/common/result.h"
#include "webhook/server/background_listener.h"
#include "webhook/server/listen_address.h"
#include "webhook/common/metrics.h"

namespace meshward::server {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

class MetricsServer {
 public:
  explicit MetricsServer(Metrics& metrics);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and starts serving; returns the bound port.
  Result<int> start(const ListenAddress& address);
  void stop();

 private:
  httplib::Server server_;
  BackgroundListener listener_;
};

}  // namespace meshward::server
