#pragma once
// GET requests to the Kubernetes API server over verified TLS with the current bearer token:
// whole responses for LIST pages and discovery (bounded by a timeout and a size), streamed
// responses for WATCH (each wait for bytes bounded by an idle timeout). Every call returns at
// once when the StopSignal fires. Safe to use from several threads (one connection per call).

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "webhook/cluster/kube/bearer_token.h"
#include "webhook/cluster/kube/connection_config.h"
#include "webhook/cluster/kube/stop_signal.h"
#include "webhook/cluster/kube/tls_client_context.h"
#include "webhook/common/result.h"

namespace meshward::cluster::kube {

struct ApiResponse {
  int status = 0;
  std::string body;  // the whole body of get(); of stream(), only for a status other than 2xx

  bool ok() const { return status >= 200 && status < 300; }
};

struct ApiClientOptions {
  std::chrono::milliseconds connect_timeout{10000};  // TCP connect plus TLS handshake
  std::size_t max_body_bytes = 256 * 1024 * 1024;    // a larger response is an error
};

class ApiClient {
 public:
  // Receives a streamed body as it arrives; returning false ends the request.
  using BodySink = std::function<bool(std::string_view)>;

  static Result<std::unique_ptr<ApiClient>> create(const ConnectionConfig& connection, const StopSignal& stop,
                                                   const ApiClientOptions& options = {});

  // `path` starts with "/" and may carry a query; the server's base path is put in front.
  Result<ApiResponse> get(std::string_view path, std::chrono::milliseconds timeout) const;

  // The body goes to `on_body` when the status is 2xx. An error when the connection fails or
  // drops before the body's end, or `idle_timeout` passes without a byte.
  Result<ApiResponse> stream(std::string_view path, std::chrono::milliseconds idle_timeout,
                             const BodySink& on_body) const;

  // "https://host:port", for logs.
  const std::string& serverUrl() const { return server_url_; }

 private:
  ApiClient(const ConnectionConfig& connection, std::shared_ptr<const TlsClientContext> tls, const StopSignal& stop,
            const ApiClientOptions& options);

  // One request on a fresh connection. `overall` bounds the whole exchange (get), `idle` each
  // wait for bytes (stream).
  Result<ApiResponse> exchange(std::string_view path, std::chrono::milliseconds overall, std::chrono::milliseconds idle,
                               const BodySink* on_body) const;
  std::string requestHead(std::string_view path) const;

  const ApiServerAddress server_;
  const std::string verified_name_;
  const std::string server_url_;
  const std::shared_ptr<const TlsClientContext> tls_;
  const StopSignal& stop_;
  const ApiClientOptions options_;
  mutable BearerToken token_;
};

}  // namespace meshward::cluster::kube
