#pragma once
// The plain-HTTP metrics listener (--metrics-listen, default 127.0.0.1:9090): GET /metrics in
// the Prometheus text format; anything else is a JSON 404 or 405. A connection gets
// kMetricsConnectionBudget for its request, so slow clients cannot hold the few workers.

#include <chrono>
#include <memory>

#include <httplib.h>

#include "webhook/common/result.h"
#include "webhook/server/background_listener.h"
#include "webhook/server/listen_address.h"
#include "webhook/server/port_connection_deadline.h"
#include "webhook/common/metrics.h"

namespace meshward::server {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";
// As long as Prometheus waits for a scrape by default.
inline constexpr std::chrono::milliseconds kMetricsConnectionBudget{10000};

class MetricsServer {
 public:
  explicit MetricsServer(Metrics& metrics, std::chrono::milliseconds connection_budget = kMetricsConnectionBudget);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and starts serving; returns the bound port.
  Result<int> start(const ListenAddress& address);
  void stop();

 private:
  PortConnectionDeadline deadline_;  // first: outlives the listener's connections
  httplib::Server server_;
  BackgroundListener listener_;
};

}  // namespace meshward::server
