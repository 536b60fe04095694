#pragma once
// The webhook's HTTPS listener: cpp-httplib's SSLServer with meshward's TLS settings, the
// current key pair from the TlsReloader on every handshake, the connection watchdog, and
// defaults fit for an admission webhook (TCP_NODELAY, long keep-alive, bounded bodies and a
// deliberate worker count).

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <httplib.h>

#include "webhook/common/result.h"
#include "webhook/server/background_listener.h"
#include "webhook/server/connection_watchdog.h"
#include "webhook/server/listen_address.h"
#include "webhook/common/metrics.h"
#include "webhook/server/tls_reloader.h"
#include "webhook/server/webhook_routes.h"

namespace meshward::server {

struct HttpsServerOptions {
  ListenAddress listen{"127.0.0.1", 8443};
  std::string client_ca_file;                          // empty: no client certificates
  std::size_t max_request_bytes = 3 * 1024 * 1024;     // larger bodies get 413
  std::size_t workers = 0;                             // 0: max(8, 4 * cores)
  std::size_t keep_alive_max_requests = 100000;        // per connection
  std::chrono::seconds keep_alive_timeout{5};          // idle time before a connection is closed
  std::chrono::milliseconds io_timeout{5000};          // each read and each write
  std::chrono::milliseconds request_timeout{10000};    // to receive a whole request
  ConnectionWatchdog::Clock watchdog_clock;            // empty: steady_clock (tests move time)
};

// The worker count for `requested` (0: max(8, 4 * cores)).
std::size_t workerCount(std::size_t requested);

class HttpsServer {
 public:
  // `tls` must outlive the server. `on_unexpected_exit` runs if the accept loop dies.
  static Result<std::unique_ptr<HttpsServer>> create(const HttpsServerOptions& options, TlsReloader& tls,
                                                     WebhookRoutes routes, Metrics& metrics,
                                                     std::function<void()> on_unexpected_exit = {});
  ~HttpsServer();

  // Binds and starts serving; returns the bound port.
  Result<int> start();

  // Stops accepting, closes idle keep-alive connections, and returns once in-flight requests
  // have been answered.
  void stop();

  const ConnectionWatchdog& watchdog() const { return watchdog_; }

 private:
  HttpsServer(const HttpsServerOptions& options, Metrics& metrics);

  const HttpsServerOptions options_;
  ConnectionWatchdog watchdog_;  // before server_: outlives every connection
  std::unique_ptr<httplib::SSLServer> server_;
  std::unique_ptr<BackgroundListener> listener_;
};

}  // namespace meshward::server
