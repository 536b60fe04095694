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

// Real time plus however far the test has moved it on.
class MovableClock {
 public:
  ConnectionWatchdog::TimePoint now() const {
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(ahead_.load());
  }
  void advance(std::chrono::milliseconds by) { ahead_ += by.count(); }

 private:
  std::atomic<long long> ahead_{0};
};

class ConnectionWatchdogTest : public ::testing::Test {
 protected:
  // A budget of keep-alive + 60 s per request on the watchdog's clock, which the test moves;
  // cpp-httplib's own per-read timeout (real time) is never reached, so only the watchdog can
  // close a trickling connection.
  void startServer(std::chrono::seconds keep_alive) {
    pair_ = writePair(directory_, "server");
    auto pair = parseKeyPair(pair_.pem.cert_pem, pair_.pem.key_pem, "server");
    ASSERT_TRUE(pair.ok()) << pair.error();
    tls_ = TlsReloader::fixed(*pair, metrics_);
    HttpsServerOptions options;
    options.listen = {"127.0.0.1", 0};
    options.keep_alive_timeout = keep_alive;
    options.request_timeout = std::chrono::seconds(60);
    options.io_timeout = std::chrono::seconds(60);
    options.watchdog_clock = [this] { return clock_.now(); };
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

  // Waits until the watchdog has looked at the connections twice more: once the time it sees
  // includes everything moved so far.
  bool watchdogCheckedAgain() {
    const std::uint64_t seen = server_->watchdog().checks();
    return waitUntil([&] { return server_->watchdog().checks() >= seen + 2; });
  }

  MovableClock clock_;
  ScratchDirectory directory_;
  PairFiles pair_;
  MetricsImpl metrics_;
  std::unique_ptr<TlsReloader> tls_;
  std::unique_ptr<HttpsServer> server_;
  int port_ = 0;
};

TEST_F(ConnectionWatchdogTest, ATricklingClientIsCutOffWhileANormalClientIsServed) {
  ASSERT_NO_FATAL_FAILURE(startServer(std::chrono::seconds(30)));  // the normal client's connection stays open throughout
  RawTlsConnection slow(port_);
  ASSERT_TRUE(slow.handshakeSucceeded());
  const std::string request =
      "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" +
      std::string(1000, ' ');
  auto normal = clientTrusting(port_, pair_.ca_file);
  normal->set_keep_alive(true);
  const auto served = [&] {
    auto answered = normal->Post("/validate", "{}", "application/json");
    return answered && answered->status == 200;
  };
  ASSERT_TRUE(slow.send(request.substr(0, 100)));
  EXPECT_TRUE(served());

  // 80 s into a 90 s budget, still trickling: left alone.
  clock_.advance(std::chrono::seconds(80));
  ASSERT_TRUE(watchdogCheckedAgain());
  EXPECT_EQ(server_->watchdog().connectionsTimedOut(), 0u) << "closed before its budget";
  EXPECT_TRUE(slow.send(request.substr(100, 1)));
  EXPECT_TRUE(served());

  // Past the budget without a whole request: cut off. The keep-alive client, answered 11 s ago
  // on the watchdog's clock, is not.
  clock_.advance(std::chrono::seconds(11));
  EXPECT_TRUE(waitUntil([&] { return server_->watchdog().connectionsTimedOut() == 1; }));
  EXPECT_TRUE(waitUntil([&] { return !slow.send(request.substr(101, 1)); }))
      << "the trickling connection stays open";
  EXPECT_TRUE(served());
  EXPECT_EQ(server_->watchdog().connectionsTimedOut(), 1u) << "the normal keep-alive client was cut off";
  EXPECT_EQ(metrics_.connectionsTimedOut(), 1u);
  EXPECT_TRUE(waitUntil([&] { return server_->watchdog().openConnections() == 1; }))
      << "the closed connection is deregistered when its SSL is freed; the keep-alive one stays";
}

TEST_F(ConnectionWatchdogTest, AnIdleConnectionIsClosedByKeepAliveNotCounted) {
  ASSERT_NO_FATAL_FAILURE(startServer(std::chrono::seconds(1)));
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
