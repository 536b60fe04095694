#pragma once
// A prototype of the webhook's HTTPS listener on Boost.Beast/Asio (bench only): the same
// WebhookRoutes, TLS settings and key pair as the cpp-httplib listener, served by N threads
// running one io_context, one coroutine per keep-alive connection, each response one write.

#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "webhook/common/result.h"
#include "webhook/server/listen_address.h"
#include "webhook/common/metrics.h"
#include "webhook/server/tls_reloader.h"
#include "webhook/server/webhook_routes.h"

namespace meshward::bench {

struct BeastHttpsServerOptions {
  server::ListenAddress listen{"127.0.0.1", 8443};
  std::size_t threads = 2;
  std::size_t max_request_bytes = 3 * 1024 * 1024;  // larger bodies close the connection
  std::chrono::seconds keep_alive_timeout{5};       // idle or slow connections are closed
};

class BeastHttpsServer {
 public:
  // `tls` and `metrics` must outlive the server.
  static Result<std::unique_ptr<BeastHttpsServer>> create(const BeastHttpsServerOptions& options,
                                                          server::TlsReloader& tls, server::WebhookRoutes routes,
                                                          meshward::Metrics& metrics);
  ~BeastHttpsServer();
  BeastHttpsServer(const BeastHttpsServer&) = delete;
  BeastHttpsServer& operator=(const BeastHttpsServer&) = delete;

  // Binds, starts the threads; returns the bound port.
  Result<int> start();

  // Stops the io_context (open connections are dropped) and joins the threads. Idempotent.
  void stop();

 private:
  BeastHttpsServer(const BeastHttpsServerOptions& options, server::WebhookRoutes routes, meshward::Metrics& metrics);

  const BeastHttpsServerOptions options_;
  const server::WebhookRoutes routes_;
  meshward::Metrics& metrics_;
  boost::asio::ssl::context tls_context_;  // before io_: outlives the connections io_ destroys
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
};

}  // namespace meshward::bench
