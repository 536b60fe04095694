#include "webhook/common/tls_key_pair.h"

#include <ctime>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "webhook/common/small_file.h"

namespace meshward {
namespace {

BioHandle readOnlyBio(std::string_view text) {
  return BioHandle(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string withOpensslDetail(const std::string& message) {
  const std::string detail = takeOpensslErrors();
  return detail.empty() ? message : message + " (" + detail + ")";
}

std::string subjectLine(X509* certificate) {
  char buffer[512];
  X509_NAME_oneline(X509_get_subject_name(certificate), buffer, sizeof(buffer));
  return buffer;
}

bool notAfterSeconds(X509* certificate, double& seconds) {
  struct tm time {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &time) != 1) {
    return false;
  }
  seconds = static_cast<double>(timegm(&time));
  return true;
}

}  // namespace

Result<std::shared_ptr<const KeyPair>> parseKeyPair(std::string_view cert_pem, std::string_view key_pem,
                                                    std::string_view source) {
  const std::string where(source);
  if (cert_pem.size() > kMaxSmallFileBytes || key_pem.size() > kMaxSmallFileBytes) {
    return Error{where + ": certificate or key larger than " + std::to_string(kMaxSmallFileBytes) + " bytes"};
  }
  ERR_clear_error();
  auto pair = std::make_shared<KeyPair>();

  BioHandle cert_bio = readOnlyBio(cert_pem);
  pair->certificate.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!pair->certificate) {
    return Error{withOpensslDetail(where + ": no PEM certificate found")};
  }
  pair->chain.reset(sk_X509_new_null());
  if (!pair->chain) {
    return Error{withOpensslDetail(where + ": out of memory")};
  }
  while (X509* intermediate = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)) {
    if (sk_X509_push(pair->chain.get(), intermediate) == 0) {
      X509_free(intermediate);
      return Error{withOpensslDetail(where + ": out of memory")};
    }
  }
  // Reading stops with a "no start line" error at the end of the file; that is not a problem.
  ERR_clear_error();

  BioHandle key_bio = readOnlyBio(key_pem);
  char no_password[] = "";
  pair->private_key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, no_password));
  if (!pair->private_key) {
    return Error{withOpensslDetail(where + ": no unencrypted PEM private key found")};
  }
  if (X509_check_private_key(pair->certificate.get(), pair->private_key.get()) != 1) {
    return Error{withOpensslDetail(where + ": the private key does not match the certificate")};
  }
  if (!notAfterSeconds(pair->certificate.get(), pair->not_after_unix_seconds)) {
    return Error{withOpensslDetail(where + ": unreadable certificate expiry")};
  }
  pair->subject = subjectLine(pair->certificate.get());
  return std::shared_ptr<const KeyPair>(std::move(pair));
}

Result<std::shared_ptr<const KeyPair>> loadKeyPairFiles(const std::string& cert_path, const std::string& key_path) {
  auto cert_pem = readSmallFile(cert_path);
  if (!cert_pem) {
    return Error{cert_pem.error()};
  }
  auto key_pem = readSmallFile(key_path);
  if (!key_pem) {
    return Error{key_pem.error()};
  }
  return parseKeyPair(*cert_pem, *key_pem, cert_path + " + " + key_path);
}

bool useKeyPair(SSL* ssl, const KeyPair& pair) {
  return SSL_use_certificate(ssl, pair.certificate.get()) == 1 && SSL_set1_chain(ssl, pair.chain.get()) == 1 &&
         SSL_use_PrivateKey(ssl, pair.private_key.get()) == 1;
}

}  // namespace meshward
