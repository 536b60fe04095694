#include "bench/transport_beast/beast_https_server.h"

#include <string>
#include <string_view>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "webhook/server/request_checks.h"
#include "webhook/server/tls_context.h"

namespace meshward::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using TlsStream = asio::ssl::stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;

constexpr std::string_view kNoSuchRoute =
    "no such path; meshward serves POST /validate, POST /mutate, GET /healthz and GET /readyz";

std::string_view standardView(beast::string_view text) { return {text.data(), text.size()}; }

server::HttpReply plainOk() { return server::HttpReply{200, "ok", "text/plain"}; }

server::HttpReply admit(const Request& request, std::string_view path,
                        const std::function<server::HttpReply(std::string_view)>& handler) {
  if (request.method() != http::verb::post) {
    return server::jsonError(405, std::string(path) + " accepts POST");
  }
  if (!server::isJsonContentType(standardView(request[http::field::content_type]))) {
    return server::jsonError(415, "Content-Type must be application/json");
  }
  return handler(request.body());
}

server::HttpReply route(const Request& request, std::string_view path, const server::WebhookRoutes& routes) {
  if (path == "/validate") {
    return admit(request, path, routes.validate);
  }
  if (path == "/mutate") {
    return admit(request, path, routes.mutate);
  }
  if (path != "/healthz" && path != "/readyz") {
    return server::jsonError(404, kNoSuchRoute);
  }
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return server::jsonError(405, std::string(path) + " accepts GET, HEAD");
  }
  if (path == "/readyz") {
    if (const std::optional<std::string> reason = routes.not_ready_reason()) {
      return server::jsonError(503, "not ready: " + *reason);
    }
  }
  return plainOk();
}

// Status line, headers and body in one buffer, so the response leaves in one TLS record.
std::string wireResponse(const server::HttpReply& reply, bool keep_alive, bool head) {
  const std::string_view reason = standardView(http::obsolete_reason(static_cast<http::status>(reply.status)));
  std::string wire;
  wire.reserve(128 + reply.body.size());
  wire.append("HTTP/1.1 ").append(std::to_string(reply.status)).append(" ").append(reason);
  wire.append("\r\nContent-Type: ").append(reply.content_type);
  wire.append("\r\nContent-Length: ").append(std::to_string(reply.body.size()));
  wire.append(keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n");
  if (!head) {
    wire.append(reply.body);
  }
  return wire;
}

// GCC 12 pairs Asio's awaitable frame allocator (a sized operator new/delete of its own) with
// the wrong deallocation and warns; the frames are allocated and freed by the same class.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

asio::awaitable<void> serveConnection(TlsStream stream, const server::WebhookRoutes& routes,
                                      meshward::Metrics& metrics, const BeastHttpsServerOptions& options) {
  beast::error_code error;
  auto with_error = asio::redirect_error(asio::use_awaitable, error);
  beast::get_lowest_layer(stream).expires_after(options.keep_alive_timeout);
  co_await stream.async_handshake(asio::ssl::stream_base::server, with_error);
  beast::flat_buffer buffer;
  while (!error) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_request_bytes);
    beast::get_lowest_layer(stream).expires_after(options.keep_alive_timeout);
    co_await http::async_read(stream, buffer, parser, with_error);
    if (error) {
      break;
    }
    const Request& request = parser.get();
    const std::string_view target = standardView(request.target());
    const std::string_view path = target.substr(0, target.find('?'));
    const server::HttpReply reply = route(request, path, routes);
    metrics.recordHttpRequest(server::routeLabel(path), reply.status);
    const bool keep_alive = request.keep_alive();
    const std::string wire = wireResponse(reply, keep_alive, request.method() == http::verb::head);
    co_await asio::async_write(stream, asio::buffer(wire), with_error);
    if (!keep_alive) {
      co_await stream.async_shutdown(with_error);
      break;
    }
  }
}

asio::awaitable<void> acceptConnections(tcp::acceptor& acceptor, asio::ssl::context& tls_context,
                                        const server::WebhookRoutes& routes, meshward::Metrics& metrics,
                                        const BeastHttpsServerOptions& options) {
  beast::error_code error;
  auto with_error = asio::redirect_error(asio::use_awaitable, error);
  while (acceptor.is_open()) {
    tcp::socket socket = co_await acceptor.async_accept(asio::make_strand(acceptor.get_executor()), with_error);
    if (error == asio::error::operation_aborted) {
      break;
    }
    if (error) {
      continue;
    }
    socket.set_option(tcp::no_delay(true), error);
    const auto executor = socket.get_executor();
    asio::co_spawn(executor,
                   serveConnection(TlsStream(beast::tcp_stream(std::move(socket)), tls_context), routes, metrics,
                                   options),
                   asio::detached);
  }
}

#pragma GCC diagnostic pop

}  // namespace

BeastHttpsServer::BeastHttpsServer(const BeastHttpsServerOptions& options, server::WebhookRoutes routes,
                                   meshward::Metrics& metrics)
    : options_(options),
      routes_(std::move(routes)),
      metrics_(metrics),
      tls_context_(asio::ssl::context::tls_server),
      io_(static_cast<int>(options.threads)),
      acceptor_(io_) {}

BeastHttpsServer::~BeastHttpsServer() { stop(); }

Result<std::unique_ptr<BeastHttpsServer>> BeastHttpsServer::create(const BeastHttpsServerOptions& options,
                                                                   server::TlsReloader& tls,
                                                                   server::WebhookRoutes routes,
                                                                   meshward::Metrics& metrics) {
  std::unique_ptr<BeastHttpsServer> https(new BeastHttpsServer(options, std::move(routes), metrics));
  SSL_CTX& context = *https->tls_context_.native_handle();
  if (auto error = server::configureServerTls(context, "")) {
    return *error;
  }
  tls.attachTo(context);
  return https;
}

Result<int> BeastHttpsServer::start() {
  beast::error_code error;
  const asio::ip::address address = asio::ip::make_address(options_.listen.host, error);
  if (error) {
    return Error{"listen address " + options_.listen.host + ": " + error.message()};
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(options_.listen.port));
  acceptor_.open(endpoint.protocol(), error);
  if (!error) {
    acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  }
  if (!error) {
    acceptor_.bind(endpoint, error);
  }
  if (!error) {
    acceptor_.listen(asio::socket_base::max_listen_connections, error);
  }
  if (error) {
    return Error{"cannot listen on " + options_.listen.host + ":" + std::to_string(options_.listen.port) + ": " +
                 error.message()};
  }
  asio::co_spawn(io_, acceptConnections(acceptor_, tls_context_, routes_, metrics_, options_), asio::detached);
  for (std::size_t i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this] { io_.run(); });
  }
  return static_cast<int>(acceptor_.local_endpoint().port());
}

void BeastHttpsServer::stop() {
  io_.stop();
  for (std::thread& thread : threads_) {
    thread.join();
  }
  threads_.clear();
}

}  // namespace meshward::bench
