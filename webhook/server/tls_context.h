#pragma once
// The server TLS settings meshward insists on: TLS 1.2 or newer, forward-secret AEAD ciphers
// only (ECDHE with AES-GCM or ChaCha20-Poly1305 for 1.2; OpenSSL's TLS 1.3 suites), no
// compression, no renegotiation, and optionally client certificates signed by a given CA.

#include <optional>
#include <string>

#include <openssl/ssl.h>

#include "webhook/common/result.h"

namespace meshward::server {

inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// `client_ca_file` empty: no client certificate is asked for. nullopt on success.
std::optional<Error> configureServerTls(SSL_CTX& context, const std::string& client_ca_file);

}  // namespace meshward::server
