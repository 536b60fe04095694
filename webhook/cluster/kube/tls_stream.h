#pragma once
// One TLS connection to the API server over a non-blocking socket, every wait bounded by a
// deadline and cut short by the StopSignal: connect (each resolved address in turn), verify
// the server's certificate against the CA and its name (DNS name or IP address), then read
// and write bytes.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/ssl.h>

#include "webhook/cluster/kube/connection_config.h"
#include "webhook/cluster/kube/stop_signal.h"
#include "webhook/cluster/kube/tls_client_context.h"
#include "webhook/common/result.h"

namespace meshward::cluster::kube {

using Deadline = std::chrono::steady_clock::time_point;

class TlsStream {
 public:
  // `verified_name` is the name (or IP address) the certificate must carry; also sent as SNI
  // when it is a name.
  static Result<std::unique_ptr<TlsStream>> connect(std::shared_ptr<const TlsClientContext> context,
                                                    const ApiServerAddress& server, const std::string& verified_name,
                                                    Deadline deadline, const StopSignal& stop);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  std::optional<Error> writeAll(std::string_view bytes, Deadline deadline);

  // Up to `capacity` bytes; 0 once the peer has closed the connection.
  Result<std::size_t> readSome(char* buffer, std::size_t capacity, Deadline deadline);

 private:
  TlsStream(std::shared_ptr<const TlsClientContext> context, int socket, const StopSignal& stop)
      : context_(std::move(context)), socket_(socket), stop_(stop) {}

  // Waits until the socket is ready for what OpenSSL asked (`ssl_error`), the deadline passes or a stop comes.
  std::optional<Error> waitFor(int ssl_error, Deadline deadline) const;
  std::optional<Error> handshake(const std::string& verified_name, Deadline deadline);

  std::shared_ptr<const TlsClientContext> context_;
  int socket_;
  const StopSignal& stop_;
  SSL* ssl_ = nullptr;
  std::string peer_;  // "host:port", for messages
};

}  // namespace meshward::cluster::kube
