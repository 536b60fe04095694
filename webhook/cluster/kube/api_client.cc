#include "webhook/cluster/kube/api_client.h"

#include <algorithm>
#include <csignal>

#include "webhook/cluster/kube/http_response_parser.h"
#include "webhook/cluster/kube/tls_stream.h"

namespace meshward::cluster::kube {
namespace {

constexpr std::size_t kMaxErrorBodyBytes = 64 * 1024;
constexpr int kUnauthorized = 401;

using Clock = std::chrono::steady_clock;

std::string hostHeader(const ApiServerAddress& server) {
  const bool ipv6 = server.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + server.host + "]" : server.host) + ":" + std::to_string(server.port);
}

}  // namespace

Result<std::unique_ptr<ApiClient>> ApiClient::create(const ConnectionConfig& connection, const StopSignal& stop,
                                                     const ApiClientOptions& options) {
  // A write to a connection the server has closed would otherwise raise SIGPIPE and end the
  // process (OpenSSL's socket BIO writes without MSG_NOSIGNAL).
  std::signal(SIGPIPE, SIG_IGN);
  Result<std::shared_ptr<const TlsClientContext>> tls = TlsClientContext::create(connection);
  if (!tls) {
    return Error{tls.error()};
  }
  return std::unique_ptr<ApiClient>(new ApiClient(connection, std::move(*tls), stop, options));
}

ApiClient::ApiClient(const ConnectionConfig& connection, std::shared_ptr<const TlsClientContext> tls,
                     const StopSignal& stop, const ApiClientOptions& options)
    : server_(connection.server),
      verified_name_(connection.verifiedName()),
      server_url_(connection.server.url()),
      tls_(std::move(tls)),
      stop_(stop),
      options_(options),
      token_(connection.token, connection.token_file) {}

std::string ApiClient::requestHead(std::string_view path) const {
  std::string head = "GET " + server_.base_path + std::string(path) + " HTTP/1.1\r\nHost: " + hostHeader(server_) +
                     "\r\nUser-Agent: meshward/" MESHWARD_VERSION "\r\nAccept: application/json\r\n";
  const std::string token = token_.current();
  if (!token.empty()) {
    head += "Authorization: Bearer " + token + "\r\n";
  }
  head += "Connection: close\r\n\r\n";
  return head;
}

Result<ApiResponse> ApiClient::get(std::string_view path, std::chrono::milliseconds timeout) const {
  return exchange(path, timeout, timeout, nullptr);
}

Result<ApiResponse> ApiClient::stream(std::string_view path, std::chrono::milliseconds idle_timeout,
                                      const BodySink& on_body) const {
  return exchange(path, std::chrono::milliseconds::max(), idle_timeout, &on_body);
}

Result<ApiResponse> ApiClient::exchange(std::string_view path, std::chrono::milliseconds overall,
                                        std::chrono::milliseconds idle, const BodySink* on_body) const {
  const Clock::time_point start = Clock::now();
  const Clock::time_point overall_deadline =
      overall == std::chrono::milliseconds::max() ? Clock::time_point::max() : start + overall;
  const auto nextDeadline = [&] { return std::min(overall_deadline, Clock::now() + idle); };

  Result<std::unique_ptr<TlsStream>> connection = TlsStream::connect(
      tls_, server_, verified_name_, std::min(nextDeadline(), start + options_.connect_timeout), stop_);
  if (!connection) {
    return Error{connection.error()};
  }
  TlsStream& stream = **connection;
  if (std::optional<Error> failed = stream.writeAll(requestHead(path), nextDeadline())) {
    return *failed;
  }

  ApiResponse response;
  std::optional<Error> body_error;
  HttpResponseParser parser;
  const HttpResponseParser::BodySink sink = [&](std::string_view bytes) {
    const bool streaming = on_body != nullptr && parser.head().status >= 200 && parser.head().status < 300;
    if (streaming) {
      return (*on_body)(bytes);
    }
    const std::size_t limit = on_body != nullptr ? kMaxErrorBodyBytes : options_.max_body_bytes;
    if (response.body.size() + bytes.size() > limit) {
      if (on_body != nullptr) {
        return false;  // an error body: the beginning says enough
      }
      body_error = Error{"response body larger than " + std::to_string(limit) + " bytes"};
      return false;
    }
    response.body.append(bytes);
    return true;
  };
  char buffer[64 * 1024];
  while (!parser.complete() && !parser.stopped()) {
    Result<std::size_t> read = stream.readSome(buffer, sizeof(buffer), nextDeadline());
    if (!read) {
      return Error{read.error()};
    }
    if (*read == 0) {
      if (std::optional<Error> failed = parser.finish()) {
        return *failed;
      }
      break;
    }
    if (std::optional<Error> failed = parser.feed(std::string_view(buffer, *read), sink)) {
      return *failed;
    }
  }
  if (body_error) {
    return *body_error;
  }
  response.status = parser.head().status;
  if (response.status == kUnauthorized) {
    token_.invalidate();
  }
  return response;
}

}  // namespace meshward::cluster::kube
