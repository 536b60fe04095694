#include "webhook/server/connection_watchdog.h"

#include <gtest/gtest.h>

#include "test/server/server_test_support.h"
#include "webhook/server/https_server.h"
#include "webhook/server/metrics_impl.h"

namespace meshward::server {
namespace {

using testing::clientTrusting;
using testing::PairFiles;
using testing::RawTlsConnection;
using testing::ScratchDirectory;
using testing::waitUntil;
using testing::writePair;

class ConnectionWatchdogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pair_ = writePair(directory_, "server");
    auto pair = parseKeyPair(pair_.pem.cert_pem, pair_.pem.key_pem, "server");
    ASSERT_TRUE(pair.ok()) << pair.error();
    tls_ = TlsReloader::fixed(*pair, metrics_);
    HttpsServerOptions options;
    options.listen = {"127.0.0.1", 0};
    // A budget of 1.2 s per request, far below the 5 s per-read timeout a trickling client
    // never trips, so only the watchdog can close it.
    options.keep_alive_timeout = std::chrono::seconds(1);
    options.request_timeout = std::chrono::milliseconds(200);
    options.io_timeout = std::chrono::seconds(5);
    WebhookRoutes routes{[](std::string_view) { return HttpReply{200, "{}"}; },
                         [](std::string_view) { return HttpReply{200, "{}"}; },
                         [] { return std::optional<std::string>(); }};
    auto server = HttpsServer::create(options, *tls_, std::move(routes), metrics_);
    ASSERT_TRUE(server.ok()) << server.error();
    server_ = std::move(*server);
    auto port = server_->start();
    ASSERT_TRUE(port.ok()) << port.error();
    port_ = *port;
  }

  ScratchDirectory directory_;
  PairFiles pair_;
  MetricsImpl metrics_;
  std::unique_ptr<TlsReloader> tls_;
  std::unique_ptr<HttpsServer> server_;
  int port_ = 0;
};

TEST_F(ConnectionWatchdogTest, ATricklingClientIsCutOffWhileANormalClientIsServed) {
  RawTlsConnection slow(port_);
  ASSERT_TRUE(slow.handshakeSucceeded());
  const std::string request =
      "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" +
      std::string(1000, ' ');
  auto normal = clientTrusting(port_, pair_.ca_file);
  normal->set_keep_alive(true);

  const auto started = std::chrono::steady_clock::now();
  bool cut_off = false;
  int normal_requests = 0;
  for (std::size_t sent = 0; sent < request.size() && !cut_off; ++sent) {
    if (std::chrono::steady_clock::now() - started > std::chrono::seconds(20)) {
      break;
    }
    cut_off = !slow.send(request.substr(sent, 1));
    if (sent % 5 == 0) {
      auto answered = normal->Post("/validate", "{}", "application/json");
      ASSERT_TRUE(answered) << httplib::to_string(answered.error());
      EXPECT_EQ(answered->status, 200);
      ++normal_requests;
    }
    // The slow client's pace: one byte every 20 ms.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(cut_off) << "the trickling connection was never closed";
  EXPECT_GE(elapsed, std::chrono::milliseconds(1000)) << "closed before its budget";
  EXPECT_EQ(server_->watchdog().connectionsTimedOut(), 1u) << "the normal keep-alive client was not cut off";
  EXPECT_EQ(metrics_.connectionsTimedOut(), 1u);
  EXPECT_GT(normal_requests, 5);
  EXPECT_TRUE(waitUntil([&] { return server_->watchdog().openConnections() == 1; }))
      << "the closed connection is deregistered when its SSL is freed";
}

TEST_F(ConnectionWatchdogTest, AnIdleConnectionIsClosedByKeepAliveNotCounted) {
  auto client = clientTrusting(port_, pair_.ca_file);
  client->set_keep_alive(true);
  ASSERT_TRUE(client->Get("/healthz"));
  EXPECT_TRUE(waitUntil([&] { return server_->watchdog().openConnections() == 0; }))
      << "cpp-httplib closes the idle connection after its 1 s keep-alive timeout";
  EXPECT_EQ(server_->watchdog().connectionsTimedOut(), 0u);
}

TEST(ConnectionWatchdogUnitTest, IgnoresNullAndForeignConnections) {
  MetricsImpl metrics;
  ConnectionWatchdog watchdog(std::chrono::milliseconds(100), metrics);
  watchdog.requestStarted(nullptr);
  watchdog.requestFinished(nullptr);
  SSL_CTX* context = SSL_CTX_new(TLS_method());
  SSL* unregistered = SSL_new(context);
  watchdog.requestStarted(unregistered);
  watchdog.requestFinished(unregistered);
  SSL_free(unregistered);
  SSL_CTX_free(context);
  EXPECT_EQ(watchdog.openConnections(), 0u);
  EXPECT_EQ(watchdog.connectionsTimedOut(), 0u);
}

}  // namespace
}  // namespace meshward::server
