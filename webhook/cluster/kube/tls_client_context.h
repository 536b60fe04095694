#pragma once
// The client side of TLS to the API server: TLS 1.2 or newer, the configured CA as the only
// trust anchor, the peer's certificate always verified, and an optional client certificate.
// Immutable once built and shared by every connection (SSL_CTX is safe to share).

#include <memory>

#include <openssl/ssl.h>

#include "webhook/cluster/kube/connection_config.h"
#include "webhook/common/result.h"

namespace meshward::cluster::kube {

class TlsClientContext {
 public:
  static Result<std::shared_ptr<const TlsClientContext>> create(const ConnectionConfig& connection);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  SSL_CTX* context() const { return context_; }

 private:
  explicit TlsClientContext(SSL_CTX* context) : context_(context) {}

  SSL_CTX* context_;
};

}  // namespace meshward::cluster::kube
