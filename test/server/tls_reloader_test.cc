#include "webhook/server/tls_reloader.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "test/server/server_test_support.h"
#include "webhook/server/background_listener.h"
#include "webhook/server/metrics_impl.h"

namespace meshward::server {
namespace {

using testing::clientTrusting;
using testing::PairFiles;
using testing::ScratchDirectory;
using testing::waitUntil;
using testing::writePair;

constexpr auto kInterval = std::chrono::milliseconds(20);

// Copies `from`'s certificate and key over the served files the way a Secret update does:
// written beside them, then renamed into place.
void replaceServedFiles(const ScratchDirectory& directory, const PairFiles& from) {
  directory.write("served-cert.pem.tmp", from.pem.cert_pem);
  directory.write("served-key.pem.tmp", from.pem.key_pem);
  std::filesystem::rename(directory.path() / "served-key.pem.tmp", directory.path() / "served-key.pem");
  std::filesystem::rename(directory.path() / "served-cert.pem.tmp", directory.path() / "served-cert.pem");
}

bool healthzAnswers(int port, const std::string& ca_file) {
  auto client = clientTrusting(port, ca_file);
  auto result = client->Get("/healthz");
  return result && result->status == 200;
}

class TlsReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    first_ = writePair(directory_, "first");
    second_ = writePair(directory_, "second");
    replaceServedFiles(directory_, first_);
    cert_file_ = (directory_.path() / "served-cert.pem").string();
    key_file_ = (directory_.path() / "served-key.pem").string();
  }

  // An SSLServer whose handshakes take the reloader's current pair.
  void serve(TlsReloader& reloader) {
    server_ = std::make_unique<httplib::SSLServer>([&reloader](SSL_CTX& context) {
      reloader.attachTo(context);
      return true;
    });
    server_->Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("ok", "text/plain");
    });
    listener_ = std::make_unique<BackgroundListener>(*server_);
    auto port = listener_->start({"127.0.0.1", 0});
    ASSERT_TRUE(port.ok()) << port.error();
    port_ = *port;
  }

  void TearDown() override {
    listener_.reset();
    server_.reset();
  }

  ScratchDirectory directory_;
  PairFiles first_;
  PairFiles second_;
  std::string cert_file_;
  std::string key_file_;
  MetricsImpl metrics_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::unique_ptr<BackgroundListener> listener_;
  int port_ = 0;
};

TEST_F(TlsReloaderTest, NewHandshakesPresentTheReplacedPair) {
  auto reloader = TlsReloader::watchFiles(cert_file_, key_file_, kInterval, metrics_);
  ASSERT_TRUE(reloader.ok()) << reloader.error();
  serve(**reloader);
  ASSERT_TRUE(healthzAnswers(port_, first_.ca_file));
  EXPECT_FALSE(healthzAnswers(port_, second_.ca_file)) << "the second CA must not verify the first pair";

  // A keep-alive connection opened before the swap keeps the pair it handshook with.
  auto kept_alive = clientTrusting(port_, first_.ca_file);
  kept_alive->set_keep_alive(true);
  ASSERT_TRUE(kept_alive->Get("/healthz"));

  const auto first_pair = (**reloader).current();
  replaceServedFiles(directory_, second_);
  EXPECT_TRUE(waitUntil([&] { return healthzAnswers(port_, second_.ca_file); }));
  EXPECT_FALSE(healthzAnswers(port_, first_.ca_file));
  EXPECT_GE(metrics_.tlsReloads(true), 1u);
  EXPECT_NE((**reloader).current(), first_pair);

  auto still_old = kept_alive->Get("/healthz");
  ASSERT_TRUE(still_old) << "the kept-alive connection (verified by the first CA) still answers";
  EXPECT_EQ(still_old->status, 200);
}

TEST_F(TlsReloaderTest, ABadReplacementKeepsTheLastGoodPairAndIsCounted) {
  auto reloader = TlsReloader::watchFiles(cert_file_, key_file_, kInterval, metrics_);
  ASSERT_TRUE(reloader.ok()) << reloader.error();
  serve(**reloader);
  const auto served = (**reloader).current();

  directory_.write("served-cert.pem", "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
  ASSERT_TRUE(waitUntil([&] { return metrics_.tlsReloads(false) >= 1; }));
  EXPECT_EQ((**reloader).current(), served);
  EXPECT_TRUE(healthzAnswers(port_, first_.ca_file));

  // A certificate with somebody else's key is refused too.
  directory_.write("served-cert.pem", second_.pem.cert_pem);
  const auto failures = metrics_.tlsReloads(false);
  ASSERT_TRUE(waitUntil([&] { return metrics_.tlsReloads(false) > failures; }));
  EXPECT_EQ((**reloader).current(), served);
  EXPECT_EQ(metrics_.tlsReloads(true), 0u);

  // Completing the pair recovers.
  directory_.write("served-key.pem", second_.pem.key_pem);
  EXPECT_TRUE(waitUntil([&] { return healthzAnswers(port_, second_.ca_file); }));
  EXPECT_EQ(metrics_.tlsReloads(true), 1u);
}

TEST_F(TlsReloaderTest, AnUnusableInitialPairIsAnErrorNamingTheFiles) {
  directory_.write("served-key.pem", second_.pem.key_pem);
  auto reloader = TlsReloader::watchFiles(cert_file_, key_file_, kInterval, metrics_);
  ASSERT_FALSE(reloader.ok());
  EXPECT_NE(reloader.error().find("served-cert.pem"), std::string::npos) << reloader.error();
  EXPECT_NE(reloader.error().find("does not match"), std::string::npos) << reloader.error();
}

TEST_F(TlsReloaderTest, AFixedPairServesAndReportsItsExpiry) {
  auto pair = parseKeyPair(first_.pem.cert_pem, first_.pem.key_pem, "first");
  ASSERT_TRUE(pair.ok()) << pair.error();
  auto reloader = TlsReloader::fixed(*pair, metrics_);
  EXPECT_TRUE(reloader->reload()) << "nothing to re-read";
  serve(*reloader);
  EXPECT_TRUE(healthzAnswers(port_, first_.ca_file));
  EXPECT_NE(metrics_.exposition().find("meshward_tls_certificate_expiry_timestamp_seconds "), std::string::npos);
}

}  // namespace
}  // namespace meshward::server
