#include "webhook/server/https_server.h"

#include <atomic>
#include <future>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/server/server_test_support.h"
#include "webhook/server/metrics_impl.h"
#include "webhook/server/request_checks.h"

namespace meshward::server {
namespace {

using testing::clientTrusting;
using testing::PairFiles;
using testing::RawTlsConnection;
using testing::ScratchDirectory;
using testing::waitUntil;
using testing::writePair;

constexpr std::size_t kMaxBody = 4096;

class HttpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pair_ = writePair(directory_, "server");
    auto pair = parseKeyPair(pair_.pem.cert_pem, pair_.pem.key_pem, "server");
    ASSERT_TRUE(pair.ok()) << pair.error();
    tls_ = TlsReloader::fixed(*pair, metrics_);
    options_.listen = {"127.0.0.1", 0};
    options_.max_request_bytes = kMaxBody;
    options_.workers = 4;
  }

  void TearDown() override { server_.reset(); }

  WebhookRoutes routes() {
    return {
        [this](std::string_view body) {
          ++validations_;
          return HttpReply{200, nlohmann::json{{"bytes", body.size()}}.dump()};
        },
        [](std::string_view) -> HttpReply { throw std::runtime_error("mutate exploded"); },
        [this]() -> std::optional<std::string> {
          if (ready_.load()) {
            return std::nullopt;
          }
          return "warming up";
        },
    };
  }

  void start(WebhookRoutes with_routes) {
    auto server = HttpsServer::create(options_, *tls_, std::move(with_routes), metrics_);
    ASSERT_TRUE(server.ok()) << server.error();
    server_ = std::move(*server);
    auto port = server_->start();
    ASSERT_TRUE(port.ok()) << port.error();
    port_ = *port;
  }
  void start() { start(routes()); }

  std::unique_ptr<httplib::SSLClient> client() { return clientTrusting(port_, pair_.ca_file); }

  ScratchDirectory directory_;
  PairFiles pair_;
  MetricsImpl metrics_;
  std::unique_ptr<TlsReloader> tls_;
  HttpsServerOptions options_;
  std::unique_ptr<HttpsServer> server_;
  int port_ = 0;
  std::atomic<int> validations_{0};
  std::atomic<bool> ready_{true};
};

// The "error" member of a JSON error body, or a note saying what the body was instead.
std::string errorOf(const httplib::Result& result) {
  if (!result) {
    return "<no response: " + httplib::to_string(result.error()) + ">";
  }
  if (result->get_header_value("Content-Type") != "application/json") {
    return "<not JSON: " + result->get_header_value("Content-Type") + ">";
  }
  auto body = nlohmann::json::parse(result->body, nullptr, false);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_string()) {
    return "<no error member: " + result->body + ">";
  }
  return body["error"].get<std::string>();
}

TEST_F(HttpsServerTest, HealthzAnswersAndReadyzFollowsReadiness) {
  start();
  auto https = client();
  auto health = https->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok");
  auto ready = https->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);

  ready_ = false;
  auto not_ready = https->Get("/readyz");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_EQ(errorOf(not_ready), "not ready: warming up");
}

TEST_F(HttpsServerTest, FiftyRequestsShareOneKeepAliveConnection) {
  start();
  auto https = client();
  https->set_keep_alive(true);
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) {
    auto result = https->Post("/validate", "{}", "application/json");
    ASSERT_TRUE(result) << "request " << i << ": " << httplib::to_string(result.error());
    ASSERT_EQ(result->status, 200) << "request " << i;
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(validations_.load(), 50);
  EXPECT_EQ(server_->watchdog().connectionsRegistered(), 1u) << "one TLS handshake for all 50 requests";
  // Without TCP_NODELAY each response (headers and body are two writes) waits ~40 ms for a
  // delayed ACK: 50 requests would take 2 s instead of a few milliseconds.
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500));
}

TEST_F(HttpsServerTest, EachConnectionWithoutKeepAliveIsCountedSoTheCountAboveMeansSomething) {
  start();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client()->Get("/healthz"));
  }
  EXPECT_EQ(server_->watchdog().connectionsRegistered(), 3u);
}

TEST_F(HttpsServerTest, TransportErrorsAreJsonWithTheRightStatus) {
  start();
  auto https = client();

  auto wrong_method = https->Get("/validate");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "POST");
  EXPECT_EQ(errorOf(wrong_method), "/validate accepts POST");

  auto post_to_probe = https->Post("/healthz", "", "application/json");
  ASSERT_TRUE(post_to_probe);
  EXPECT_EQ(post_to_probe->status, 405);
  EXPECT_EQ(post_to_probe->get_header_value("Allow"), "GET, HEAD");

  auto unknown = https->Get("/admission");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(errorOf(unknown).find("no such path"), std::string::npos) << errorOf(unknown);

  auto not_json = https->Post("/validate", "{}", "text/plain");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 415);
  EXPECT_EQ(errorOf(not_json), "Content-Type must be application/json");

  auto json_with_charset = https->Post("/validate", "{}", "application/json; charset=utf-8");
  ASSERT_TRUE(json_with_charset);
  EXPECT_EQ(json_with_charset->status, 200);

  auto too_big = client()->Post("/validate", std::string(kMaxBody + 1, ' '), "application/json");
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);
  EXPECT_NE(errorOf(too_big).find("larger than the limit"), std::string::npos) << errorOf(too_big);

  auto at_limit = client()->Post("/validate", std::string(kMaxBody, ' '), "application/json");
  ASSERT_TRUE(at_limit);
  EXPECT_EQ(at_limit->status, 200);
}

TEST_F(HttpsServerTest, AModeratelyOversizedBodyIsDrainedSoTheConnectionSurvivesIts413) {
  start();
  auto https = client();
  https->set_keep_alive(true);
  auto drained = https->Post("/validate", std::string(kMaxBody + 1, ' '), "application/json");
  ASSERT_TRUE(drained);
  EXPECT_EQ(drained->status, 413);
  auto next = https->Get("/healthz");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(server_->watchdog().connectionsRegistered(), 1u) << "the body was read, so keep-alive goes on";

  auto far_too_big = client()->Post("/validate", std::string(drainableBodyBytes(kMaxBody) + 1, ' '), "application/json");
  ASSERT_TRUE(far_too_big);
  EXPECT_EQ(far_too_big->status, 413);
}

TEST_F(HttpsServerTest, AWrongMethodIs405BeforeAnyBodyCheck) {
  start();
  auto https = client();
  https->set_keep_alive(true);
  auto deleted = https->Delete("/mutate");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 405) << deleted->body;
  auto next = https->Get("/healthz");
  ASSERT_TRUE(next) << "a 405 without a body keeps the connection";
  EXPECT_EQ(server_->watchdog().connectionsRegistered(), 1u);
}

TEST_F(HttpsServerTest, MalformedHttpIsA400WithAJsonBody) {
  start();
  RawTlsConnection raw(port_);
  ASSERT_TRUE(raw.handshakeSucceeded());
  ASSERT_TRUE(raw.send("NOT-HTTP\r\n\r\n"));
  const std::string response = raw.readUntilClosed();
  EXPECT_EQ(response.rfind("HTTP/1.1 400", 0), 0u) << response;
  EXPECT_NE(response.find("{\"error\":\"malformed HTTP request\"}"), std::string::npos) << response;
}

TEST_F(HttpsServerTest, ChunkedOrLengthlessBodiesAreRefusedAndTheConnectionClosed) {
  start();
  {
    RawTlsConnection raw(port_);
    ASSERT_TRUE(raw.send("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
    const std::string response = raw.readUntilClosed();
    EXPECT_EQ(response.rfind("HTTP/1.1 411", 0), 0u) << response;
    EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
    EXPECT_NE(response.find("Transfer-Encoding is not accepted"), std::string::npos) << response;
  }
  {
    RawTlsConnection raw(port_);
    ASSERT_TRUE(raw.send("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n{}"));
    const std::string response = raw.readUntilClosed();
    EXPECT_EQ(response.rfind("HTTP/1.1 411", 0), 0u) << response;
  }
  EXPECT_EQ(validations_.load(), 0);
}

TEST_F(HttpsServerTest, ARefusedBodyIsNotReadAsTheNextRequest) {
  start();
  RawTlsConnection raw(port_);
  // The unread body would otherwise be parsed as a second request ("GET /healthz").
  const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(raw.send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled));
  const std::string response = raw.readUntilClosed();
  EXPECT_EQ(response.rfind("HTTP/1.1 405", 0), 0u) << response;
  EXPECT_EQ(response.find("HTTP/1.1 200"), std::string::npos) << "the body was served as a request:\n" << response;
}

TEST_F(HttpsServerTest, AThrowingRouteIsA500AndTheNextRequestWorks) {
  start();
  auto https = client();
  https->set_keep_alive(true);
  auto failed = https->Post("/mutate", "{}", "application/json");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(errorOf(failed), "internal error");
  EXPECT_EQ(failed->body.find("exploded"), std::string::npos) << "internals stay in the log";
  EXPECT_EQ(metrics_.internalErrors("http"), 1u);

  auto next = https->Post("/validate", "{}", "application/json");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(HttpsServerTest, EveryResponseIsCountedUnderABoundedRoute) {
  start();
  auto https = client();
  ASSERT_TRUE(https->Post("/validate", "{}", "application/json"));
  ASSERT_TRUE(https->Get("/validate"));
  ASSERT_TRUE(https->Get("/healthz"));
  ASSERT_TRUE(https->Get("/some/random/path"));
  ASSERT_TRUE(https->Get("/another?query=1"));
  EXPECT_EQ(metrics_.httpRequests("/validate", 200), 1u);
  EXPECT_EQ(metrics_.httpRequests("/validate", 405), 1u);
  EXPECT_EQ(metrics_.httpRequests("/healthz", 200), 1u);
  EXPECT_EQ(metrics_.httpRequests("other", 404), 2u);
}

TEST_F(HttpsServerTest, OnlyTls12AndStrongCiphersAreAccepted) {
  start();
  EXPECT_FALSE(RawTlsConnection(port_, {TLS1_1_VERSION, nullptr}).handshakeSucceeded());
  EXPECT_FALSE(RawTlsConnection(port_, {TLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA"}).handshakeSucceeded())
      << "CBC without AEAD";
  EXPECT_TRUE(RawTlsConnection(port_, {TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256"}).handshakeSucceeded());
  EXPECT_TRUE(RawTlsConnection(port_, {TLS1_2_VERSION, "ECDHE-ECDSA-CHACHA20-POLY1305"}).handshakeSucceeded());
  EXPECT_TRUE(RawTlsConnection(port_).handshakeSucceeded()) << "TLS 1.3";
  EXPECT_TRUE(waitUntil([&] { return server_->watchdog().openConnections() == 0; }))
      << "failed handshakes are deregistered too";
  EXPECT_EQ(server_->watchdog().connectionsRegistered(), 5u);
}

TEST_F(HttpsServerTest, AClientCaRequiresAClientCertificateItSigned) {
  SelfSignedOptions client_options;
  client_options.extended_key_usage = "clientAuth";
  const PairFiles trusted_client = writePair(directory_, "client", client_options);
  const PairFiles stranger = writePair(directory_, "stranger", client_options);
  options_.client_ca_file = trusted_client.ca_file;
  start();

  EXPECT_FALSE(client()->Get("/healthz")) << "no client certificate";
  auto strange = clientTrusting(port_, pair_.ca_file, stranger.cert_file, stranger.key_file)->Get("/healthz");
  EXPECT_FALSE(strange) << "a client certificate from another CA";
  auto trusted = clientTrusting(port_, pair_.ca_file, trusted_client.cert_file, trusted_client.key_file)->Get("/healthz");
  ASSERT_TRUE(trusted) << httplib::to_string(trusted.error());
  EXPECT_EQ(trusted->status, 200);
}

TEST_F(HttpsServerTest, AMissingClientCaFileIsAnError) {
  options_.client_ca_file = (directory_.path() / "absent-ca.pem").string();
  auto server = HttpsServer::create(options_, *tls_, routes(), metrics_);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().find("absent-ca.pem"), std::string::npos) << server.error();
}

TEST_F(HttpsServerTest, ABusyPortIsAnErrorNamingTheAddress) {
  start();
  options_.listen.port = port_;
  auto second = HttpsServer::create(options_, *tls_, routes(), metrics_);
  ASSERT_TRUE(second.ok()) << second.error();
  auto port = (*second)->start();
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.error().find("127.0.0.1:" + std::to_string(port_)), std::string::npos) << port.error();
}

TEST_F(HttpsServerTest, StopClosesIdleKeepAliveConnectionsPromptly) {
  options_.keep_alive_timeout = std::chrono::seconds(30);
  start();
  auto https = client();
  https->set_keep_alive(true);
  ASSERT_TRUE(https->Get("/healthz"));
  const auto started = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5))
      << "stop() waited for the idle connection's keep-alive timeout";
}

TEST_F(HttpsServerTest, StopLetsAnInFlightRequestFinish) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  WebhookRoutes blocking = routes();
  blocking.validate = [&entered, released](std::string_view) {
    entered.set_value();
    released.wait();
    return HttpReply{200, "{\"finished\":true}"};
  };
  start(std::move(blocking));

  auto in_flight = std::async(std::launch::async, [this] {
    return client()->Post("/validate", "{}", "application/json");
  });
  ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto stopping = std::async(std::launch::async, [this] { server_->stop(); });
  EXPECT_EQ(stopping.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout)
      << "stop() must wait for the request in flight";
  release.set_value();
  auto result = in_flight.get();
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "{\"finished\":true}");
  EXPECT_EQ(stopping.wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST(WorkerCountTest, DefaultsToAtLeastEight) {
  EXPECT_GE(workerCount(0), 8u);
  EXPECT_EQ(workerCount(3), 3u);
}

}  // namespace
}  // namespace meshward::server
