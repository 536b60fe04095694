#include "webhook/server/tls_context.h"

#include "webhook/common/openssl_handles.h"

namespace meshward::server {

std::optional<Error> configureServerTls(SSL_CTX& context, const std::string& client_ca_file) {
  SSL_CTX_set_options(&context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(&context, kTls12Ciphers) != 1) {
    return Error{"TLS: cannot restrict protocol versions and ciphers: " + takeOpensslErrors()};
  }
  SSL_CTX_set_session_id_context(&context, reinterpret_cast<const unsigned char*>("meshward"), 8);
  if (client_ca_file.empty()) {
    return std::nullopt;
  }
  if (SSL_CTX_load_verify_locations(&context, client_ca_file.c_str(), nullptr) != 1) {
    return Error{"TLS: cannot load client CA " + client_ca_file + ": " + takeOpensslErrors()};
  }
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(client_ca_file.c_str());
  if (names == nullptr) {
    return Error{"TLS: no certificate in client CA file " + client_ca_file + ": " + takeOpensslErrors()};
  }
  SSL_CTX_set_client_CA_list(&context, names);
  SSL_CTX_set_verify(&context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return std::nullopt;
}

}  // namespace meshward::server
