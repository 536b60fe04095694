#include "webhook/server/self_signed.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <gtest/gtest.h>

#include "webhook/common/openssl_handles.h"

namespace meshward::server {
namespace {

X509Handle certificateFrom(const std::string& pem) {
  BioHandle bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Handle(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

PkeyHandle keyFrom(const std::string& pem) {
  BioHandle bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return PkeyHandle(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

struct StoreFree {
  void operator()(X509_STORE* store) const { X509_STORE_free(store); }
};
struct StoreContextFree {
  void operator()(X509_STORE_CTX* context) const { X509_STORE_CTX_free(context); }
};

// Verifies `leaf` against `ca` only, as a TLS client would for `host` (a name or an IP).
bool verifies(const std::string& leaf_pem, const std::string& ca_pem, const std::string& host, bool is_ip) {
  X509Handle leaf = certificateFrom(leaf_pem);
  X509Handle ca = certificateFrom(ca_pem);
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca.get());
  std::unique_ptr<X509_STORE_CTX, StoreContextFree> context(X509_STORE_CTX_new());
  X509_STORE_CTX_init(context.get(), store.get(), leaf.get(), nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(context.get());
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  }
  const bool ok = X509_verify_cert(context.get()) == 1;
  ERR_clear_error();
  return ok;
}

class SelfSignedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto generated = generateSelfSigned();
    ASSERT_TRUE(generated.ok()) << generated.error();
    pair_ = new SelfSignedCertificate(*generated);
  }
  static void TearDownTestSuite() {
    delete pair_;
    pair_ = nullptr;
  }
  static SelfSignedCertificate* pair_;
};

SelfSignedCertificate* SelfSignedTest::pair_ = nullptr;

TEST_F(SelfSignedTest, ServingCertificateVerifiesAgainstItsCaForLocalNames) {
  EXPECT_TRUE(verifies(pair_->cert_pem, pair_->ca_pem, "localhost", false));
  EXPECT_TRUE(verifies(pair_->cert_pem, pair_->ca_pem, "127.0.0.1", true));
  EXPECT_TRUE(verifies(pair_->cert_pem, pair_->ca_pem, "::1", true));
}

TEST_F(SelfSignedTest, ServingCertificateDoesNotVerifyForOtherNamesOrAnotherCa) {
  EXPECT_FALSE(verifies(pair_->cert_pem, pair_->ca_pem, "example.com", false));
  EXPECT_FALSE(verifies(pair_->cert_pem, pair_->ca_pem, "10.0.0.1", true));
  auto other = generateSelfSigned();
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_FALSE(verifies(pair_->cert_pem, other->ca_pem, "localhost", false));
}

TEST_F(SelfSignedTest, KeyIsAnEcP256KeyMatchingTheServingCertificate) {
  X509Handle leaf = certificateFrom(pair_->cert_pem);
  PkeyHandle key = keyFrom(pair_->key_pem);
  ASSERT_TRUE(leaf && key);
  EXPECT_EQ(X509_check_private_key(leaf.get(), key.get()), 1);
  EXPECT_EQ(EVP_PKEY_get_base_id(key.get()), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 256);
}

TEST_F(SelfSignedTest, CaIsACaAndTheLeafIsNot) {
  X509Handle ca = certificateFrom(pair_->ca_pem);
  X509Handle leaf = certificateFrom(pair_->cert_pem);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_ca(leaf.get()), 0);
}

TEST_F(SelfSignedTest, ValidityCoversNowAndRoughlyTheRequestedPeriod) {
  X509Handle leaf = certificateFrom(pair_->cert_pem);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(leaf.get())), 0);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notAfter(leaf.get())), 0);
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(leaf.get())), 1);
  EXPECT_GE(days, 364);
  EXPECT_LE(days, 366);
}

TEST(SelfSignedOptionsTest, ShortValidityAndClientUsageAreHonoured) {
  SelfSignedOptions options;
  options.validity = std::chrono::hours(1);
  options.extended_key_usage = "clientAuth";
  auto generated = generateSelfSigned(options);
  ASSERT_TRUE(generated.ok()) << generated.error();
  int days = 1;
  int seconds = 0;
  X509Handle leaf = certificateFrom(generated->cert_pem);
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(leaf.get())), 1);
  EXPECT_EQ(days, 0);
  EXPECT_EQ(X509_check_purpose(leaf.get(), X509_PURPOSE_SSL_CLIENT, 0), 1);
  EXPECT_NE(X509_check_purpose(leaf.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
}

}  // namespace
}  // namespace meshward::server
