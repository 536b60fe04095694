#include "webhook/server/self_signed.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "webhook/common/openssl_handles.h"

namespace meshward::server {
namespace {

// Certificates are valid from a little before now, so a client with a slow clock accepts them.
constexpr long kBackdateSeconds = 5 * 60;

struct BignumFree {
  void operator()(BIGNUM* number) const { BN_free(number); }
};

Error opensslError(const std::string& what) {
  return Error{"self-signed certificate: " + what + ": " + takeOpensslErrors()};
}

bool setRandomSerial(X509* certificate) {
  std::unique_ptr<BIGNUM, BignumFree> serial(BN_new());
  return serial && BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
         BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)) != nullptr;
}

bool setCommonName(X509* certificate, const std::string& common_name) {
  X509_NAME* name = X509_get_subject_name(certificate);
  const auto* text = reinterpret_cast<const unsigned char*>(common_name.c_str());
  const auto* organisation = reinterpret_cast<const unsigned char*>("meshward");
  return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, organisation, -1, -1, 0) == 1 &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, text, -1, -1, 0) == 1;
}

bool addExtension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) {
    return false;
  }
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// A version 3 certificate for `key` with a random serial and the validity window; not yet signed.
X509Handle newCertificate(EVP_PKEY* key, const std::string& common_name, std::chrono::seconds validity) {
  X509Handle certificate(X509_new());
  if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1 ||
      !setRandomSerial(certificate.get()) ||
      X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -kBackdateSeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(certificate.get()), static_cast<long>(validity.count())) == nullptr ||
      X509_set_pubkey(certificate.get(), key) != 1 || !setCommonName(certificate.get(), common_name)) {
    return nullptr;
  }
  return certificate;
}

std::string subjectAltNames(const SelfSignedOptions& options) {
  std::string names;
  for (const std::string& dns : options.dns_names) {
    names += (names.empty() ? "DNS:" : ",DNS:") + dns;
  }
  for (const std::string& ip : options.ip_addresses) {
    names += (names.empty() ? "IP:" : ",IP:") + ip;
  }
  return names;
}

Result<std::string> certificatePem(X509* certificate) {
  BioHandle bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1) {
    return opensslError("writing a certificate");
  }
  return memoryBioText(bio.get());
}

Result<std::string> privateKeyPem(EVP_PKEY* key) {
  BioHandle bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return opensslError("writing the private key");
  }
  return memoryBioText(bio.get());
}

}  // namespace

Result<SelfSignedCertificate> generateSelfSigned(const SelfSignedOptions& options) {
  PkeyHandle ca_key(EVP_EC_gen("P-256"));
  PkeyHandle serving_key(EVP_EC_gen("P-256"));
  if (!ca_key || !serving_key) {
    return opensslError("generating P-256 keys");
  }

  X509Handle ca = newCertificate(ca_key.get(), "meshward self-signed CA", options.validity);
  if (!ca || X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get())) != 1 ||
      !addExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !addExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !addExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash") ||
      X509_sign(ca.get(), ca_key.get(), EVP_sha256()) == 0) {
    return opensslError("building the CA certificate");
  }

  const std::string common_name = options.dns_names.empty() ? "meshward" : options.dns_names.front();
  X509Handle serving = newCertificate(serving_key.get(), common_name, options.validity);
  const std::string alt_names = subjectAltNames(options);
  if (!serving || X509_set_issuer_name(serving.get(), X509_get_subject_name(ca.get())) != 1 ||
      !addExtension(serving.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !addExtension(serving.get(), ca.get(), NID_key_usage, "critical,digitalSignature") ||
      !addExtension(serving.get(), ca.get(), NID_ext_key_usage, options.extended_key_usage) ||
      !addExtension(serving.get(), ca.get(), NID_subject_key_identifier, "hash") ||
      !addExtension(serving.get(), ca.get(), NID_authority_key_identifier, "keyid:always") ||
      (!alt_names.empty() && !addExtension(serving.get(), ca.get(), NID_subject_alt_name, alt_names)) ||
      X509_sign(serving.get(), ca_key.get(), EVP_sha256()) == 0) {
    return opensslError("building the serving certificate");
  }

  auto ca_pem = certificatePem(ca.get());
  auto cert_pem = certificatePem(serving.get());
  auto key_pem = privateKeyPem(serving_key.get());
  if (!ca_pem) {
    return Error{ca_pem.error()};
  }
  if (!cert_pem) {
    return Error{cert_pem.error()};
  }
  if (!key_pem) {
    return Error{key_pem.error()};
  }
  return SelfSignedCertificate{std::move(*ca_pem), std::move(*cert_pem), std::move(*key_pem)};
}

}  // namespace meshward::server
