#include "webhook/cluster/kube/tls_client_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "webhook/common/openssl_handles.h"
#include "webhook/common/tls_key_pair.h"

namespace meshward::cluster::kube {
namespace {

// Adds every certificate of a PEM bundle to the context's trust store; the number added.
int trustCertificates(SSL_CTX* context, const std::string& pem) {
  meshward::BioHandle bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  int added = 0;
  while (bio) {
    meshward::X509Handle certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate) {
      break;
    }
    if (X509_STORE_add_cert(store, certificate.get()) == 1) {
      ++added;
    }
  }
  ERR_clear_error();  // the read that ended the loop leaves "no start line" behind
  return added;
}

std::optional<Error> useClientCertificate(SSL_CTX* context, const ConnectionConfig& connection) {
  auto pair = meshward::parseKeyPair(connection.client_certificate_pem, connection.client_key_pem,
                                   "client certificate of " + connection.description);
  if (!pair) {
    return Error{pair.error()};
  }
  const meshward::KeyPair& keys = **pair;
  bool used = SSL_CTX_use_certificate(context, keys.certificate.get()) == 1 &&
              SSL_CTX_use_PrivateKey(context, keys.private_key.get()) == 1;
  for (int i = 0; used && keys.chain && i < sk_X509_num(keys.chain.get()); ++i) {
    used = SSL_CTX_add1_chain_cert(context, sk_X509_value(keys.chain.get(), i)) == 1;
  }
  if (!used || SSL_CTX_check_private_key(context) != 1) {
    return Error{"client certificate of " + connection.description + " cannot be used: " + meshward::takeOpensslErrors()};
  }
  return std::nullopt;
}

}  // namespace

Result<std::shared_ptr<const TlsClientContext>> TlsClientContext::create(const ConnectionConfig& connection) {
  SSL_CTX* raw = SSL_CTX_new(TLS_client_method());
  if (raw == nullptr) {
    return Error{"cannot create a TLS client context: " + meshward::takeOpensslErrors()};
  }
  std::shared_ptr<const TlsClientContext> context(new TlsClientContext(raw));
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  SSL_CTX_set_options(raw, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_verify(raw, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_mode(raw, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (trustCertificates(raw, connection.ca_pem) == 0) {
    return Error{"the CA of " + connection.description + " holds no PEM certificate"};
  }
  if (!connection.client_certificate_pem.empty()) {
    if (std::optional<Error> failed = useClientCertificate(raw, connection)) {
      return *failed;
    }
  }
  return context;
}

TlsClientContext::~TlsClientContext() { SSL_CTX_free(context_); }

}  // namespace meshward::cluster::kube
