#include "webhook/server/https_server.h"

#include <algorithm>
#include <thread>

#include "webhook/server/request_checks.h"
#include "webhook/server/tls_context.h"

namespace meshward::server {
namespace {

// A connection answered this long ago has written its response (the finish mark is set just
// before cpp-httplib writes it), so its reading side may be shut down.
constexpr auto kQuietBeforeClose = std::chrono::milliseconds(200);
constexpr auto kDrainPollInterval = std::chrono::milliseconds(20);

}  // namespace

std::size_t workerCount(std::size_t requested) {
  if (requested > 0) {
    return requested;
  }
  return std::max<std::size_t>(8, 4 * static_cast<std::size_t>(std::thread::hardware_concurrency()));
}

HttpsServer::HttpsServer(const HttpsServerOptions& options, Metrics& metrics)
    : options_(options),
      watchdog_(std::chrono::duration_cast<std::chrono::milliseconds>(options.keep_alive_timeout) +
                    options.request_timeout,
                metrics, options.watchdog_clock) {}

HttpsServer::~HttpsServer() { stop(); }

Result<std::unique_ptr<HttpsServer>> HttpsServer::create(const HttpsServerOptions& options, TlsReloader& tls,
                                                         WebhookRoutes routes, Metrics& metrics,
                                                         std::function<void()> on_unexpected_exit) {
  std::unique_ptr<HttpsServer> https(new HttpsServer(options, metrics));
  std::optional<Error> tls_error;
  ConnectionWatchdog& watchdog = https->watchdog_;
  https->server_ = std::make_unique<httplib::SSLServer>([&](SSL_CTX& context) {
    tls_error = configureServerTls(context, options.client_ca_file);
    if (tls_error) {
      return false;
    }
    tls.attachTo(context);
    watchdog.attachTo(context);
    return true;
  });
  if (tls_error) {
    return *tls_error;
  }
  if (!https->server_->is_valid()) {
    return Error{"TLS: cannot create the server context"};
  }

  httplib::SSLServer& server = *https->server_;
  const std::size_t workers = workerCount(options.workers);
  server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(options.keep_alive_max_requests);
  server.set_keep_alive_timeout(options.keep_alive_timeout.count());
  server.set_read_timeout(options.io_timeout);
  server.set_write_timeout(options.io_timeout);
  server.set_payload_max_length(drainableBodyBytes(options.max_request_bytes));
  installWebhookRoutes(server, std::move(routes), options.max_request_bytes, metrics, &watchdog);
  https->listener_ = std::make_unique<BackgroundListener>(server, std::move(on_unexpected_exit));
  return https;
}

Result<int> HttpsServer::start() { return listener_->start(options_.listen); }

void HttpsServer::stop() {
  if (!listener_) {
    return;
  }
  // Stop accepting first; then, until every connection is quiet or the keep-alive timeout has
  // passed, close the quiet ones. A worker in the middle of a request finishes it, answers,
  // and sees the server stopped; one waiting on an idle keep-alive connection is woken.
  listener_->stopAccepting();
  const auto deadline = std::chrono::steady_clock::now() + options_.keep_alive_timeout;
  while (watchdog_.closeQuietConnections(kQuietBeforeClose) > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kDrainPollInterval);
  }
  listener_->stop();
}

}  // namespace meshward::server
