#pragma once
// A serving certificate chain and its private key, parsed from PEM and checked to belong
// together, ready to be put on a TLS connection. Immutable once built, so connections that
// handshook with a pair keep it while a reload installs the next one.

#include <memory>
#include <string>
#include <string_view>

#include <openssl/ssl.h>

#include "webhook/common/result.h"
#include "webhook/common/openssl_handles.h"

namespace meshward {

struct KeyPair {
  X509Handle certificate;  // the leaf
  X509StackHandle chain;   // intermediates after the leaf in the file (maybe none)
  PkeyHandle private_key;
  double not_after_unix_seconds = 0;
  std::string subject;  // one line, for logs
};

// `cert_pem` holds the leaf first, then any intermediates. `source` names the input in errors.
Result<std::shared_ptr<const KeyPair>> parseKeyPair(std::string_view cert_pem, std::string_view key_pem,
                                                    std::string_view source);

Result<std::shared_ptr<const KeyPair>> loadKeyPairFiles(const std::string& cert_path, const std::string& key_path);

// Puts the pair on one connection (SSL_use_certificate, the chain, SSL_use_PrivateKey); the
// connection holds its own references. False when OpenSSL refuses.
bool useKeyPair(SSL* ssl, const KeyPair& pair);

}  // namespace meshward
