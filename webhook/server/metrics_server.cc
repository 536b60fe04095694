#include "webhook/server/metrics_server.h"

#include "webhook/server/http_reply.h"

namespace meshward::server {
namespace {

constexpr std::size_t kWorkers = 2;
constexpr std::size_t kMaxRequestBytes = 4096;

}  // namespace

MetricsServer::MetricsServer(Metrics& metrics, std::chrono::milliseconds connection_budget)
    : deadline_(connection_budget, metrics), listener_(server_) {
  server_.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  // One request per connection: a scrape is rare, and an idle keep-alive connection would
  // otherwise hold up stop() for the keep-alive timeout.
  server_.set_keep_alive_max_count(1);
  server_.set_payload_max_length(kMaxRequestBytes);
  server_.Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics.exposition(), kPrometheusContentType);
  });
  server_.set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    if (request.path != "/metrics") {
      response.status = 404;
      response.set_content(jsonErrorBody("no such path; this listener serves GET /metrics"), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (request.method != "GET" && request.method != "HEAD") {
      response.status = 405;
      response.set_header("Allow", "GET, HEAD");
      response.set_content(jsonErrorBody("/metrics accepts GET, HEAD"), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_.set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
    response.status = 500;
    response.set_content(jsonErrorBody("internal error"), "application/json");
  });
}

MetricsServer::~MetricsServer() { stop(); }

Result<int> MetricsServer::start(const ListenAddress& address) {
  Result<int> port = listener_.start(address);
  if (port) {
    deadline_.watch(*port);
  }
  return port;
}

void MetricsServer::stop() { listener_.stop(); }

}  // namespace meshward::server
