#include "webhook/cluster/kube/api_client.h"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "test/cluster/kube/live_test_support.h"
#include "webhook/cluster/kube/api_status.h"
#include "webhook/server/self_signed.h"

namespace meshward::cluster::kube {
namespace {

using namespace std::chrono_literals;
using test_support::FakeKubeApiServer;

std::unique_ptr<ApiClient> clientFor(const ConnectionConfig& connection, const StopSignal& stop) {
  Result<std::unique_ptr<ApiClient>> client = ApiClient::create(connection, stop);
  if (!client) {
    ADD_FAILURE() << client.error();
    return nullptr;
  }
  return std::move(*client);
}

TEST(ApiClient, GetsWithTheBearerTokenOverVerifiedTls) {
  FakeKubeApiServer fake;
  fake.apply(test_support::namespaceObject("shop"));
  StopSignal stop;
  const auto client = clientFor(fake.connection(), stop);
  ASSERT_NE(client, nullptr);
  Result<ApiResponse> response = client->get("/api/v1/namespaces?limit=5", 5s);
  ASSERT_TRUE(response.ok()) << response.error();
  EXPECT_EQ(response->status, 200);
  const nlohmann::json list = nlohmann::json::parse(response->body);
  EXPECT_EQ(list["kind"], "NamespaceList");
  EXPECT_EQ(list["items"][0]["metadata"]["name"], "shop");
  EXPECT_EQ(client->serverUrl(), fake.url());
}

TEST(ApiClient, VerifiesAgainstTheTlsServerName) {
  FakeKubeApiServer fake;
  StopSignal stop;
  ConnectionConfig by_name = fake.connection();
  by_name.tls_server_name = "localhost";
  Result<ApiResponse> named = clientFor(by_name, stop)->get("/api/v1/namespaces", 5s);
  ASSERT_TRUE(named.ok()) << named.error();
  EXPECT_EQ(named->status, 200);

  ConnectionConfig wrong_name = fake.connection();
  wrong_name.tls_server_name = "kubernetes.example.com";
  Result<ApiResponse> refused = clientFor(wrong_name, stop)->get("/api/v1/namespaces", 5s);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("not trusted"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("kubernetes.example.com"), std::string::npos) << refused.error();
}

TEST(ApiClient, RefusesAServerSignedByAnotherCa) {
  FakeKubeApiServer fake;
  auto other = server::generateSelfSigned();
  ASSERT_TRUE(other.ok()) << other.error();
  ConnectionConfig connection = fake.connection();
  connection.ca_pem = other->ca_pem;
  StopSignal stop;
  Result<ApiResponse> response = clientFor(connection, stop)->get("/api/v1/namespaces", 5s);
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.error().find("certificate is not trusted"), std::string::npos) << response.error();
  EXPECT_NE(response.error().find("unable to get local issuer certificate"), std::string::npos) << response.error();
  EXPECT_EQ(fake.listRequests("namespaces"), 0u) << "nothing was sent to an unverified server";
}

TEST(ApiClient, RefusesAnUnusableCaOrClientCertificate) {
  StopSignal stop;
  ConnectionConfig connection;
  connection.server.host = "127.0.0.1";
  connection.ca_pem = "not a certificate";
  connection.description = "test";
  Result<std::unique_ptr<ApiClient>> no_ca = ApiClient::create(connection, stop);
  ASSERT_FALSE(no_ca.ok());
  EXPECT_NE(no_ca.error().find("holds no PEM certificate"), std::string::npos) << no_ca.error();

  auto generated = server::generateSelfSigned();
  ASSERT_TRUE(generated.ok()) << generated.error();
  connection.ca_pem = generated->ca_pem;
  connection.client_certificate_pem = generated->cert_pem;
  connection.client_key_pem = server::generateSelfSigned()->key_pem;  // another key
  Result<std::unique_ptr<ApiClient>> mismatched = ApiClient::create(connection, stop);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_NE(mismatched.error().find("client certificate"), std::string::npos) << mismatched.error();

  connection.client_key_pem = generated->key_pem;
  EXPECT_TRUE(ApiClient::create(connection, stop).ok());
}

TEST(ApiClient, AWrongTokenIsUnauthorized) {
  FakeKubeApiServer fake;
  StopSignal stop;
  Result<ApiResponse> response = clientFor(fake.connection("wrong"), stop)->get("/api/v1/pods", 5s);
  ASSERT_TRUE(response.ok()) << response.error();
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(describeFailure(*response), "HTTP 401 (Unauthorized: Unauthorized)");
  EXPECT_EQ(fake.unauthorizedRequests(), 1u);
}

TEST(ApiClient, ASlowServerTimesOut) {
  FakeKubeApiServer fake;
  fake.setResponseDelay(3s);
  StopSignal stop;
  const auto start = std::chrono::steady_clock::now();
  Result<ApiResponse> response = clientFor(fake.connection(), stop)->get("/api/v1/pods", 200ms);
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.error().find("timed out"), std::string::npos) << response.error();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(ApiClient, AStopInterruptsAWaitingRequest) {
  FakeKubeApiServer fake;
  fake.setResponseDelay(10s);
  StopSignal stop;
  const auto client = clientFor(fake.connection(), stop);
  std::optional<Result<ApiResponse>> response;
  std::thread request([&] { response.emplace(client->get("/api/v1/pods", 30s)); });
  EXPECT_TRUE(testing::waitUntil([&] { return fake.requestsReceived() == 1; }));
  const auto start = std::chrono::steady_clock::now();
  stop.request();
  request.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_TRUE(response.has_value());
  ASSERT_FALSE(response->ok());
  EXPECT_NE(response->error().find("shutting down"), std::string::npos) << response->error();
}

TEST(ApiClient, StreamsAWatchAsEventsArrive) {
  FakeKubeApiServer fake;
  const std::string version = fake.resourceVersion();
  StopSignal stop;
  const auto client = clientFor(fake.connection(), stop);
  std::string received;
  std::optional<Result<ApiResponse>> response;
  std::thread watch([&] {
    response.emplace(
        client->stream("/api/v1/pods?watch=true&resourceVersion=" + version, 10s, [&](std::string_view bytes) {
          received.append(bytes);
          return received.find('\n') == std::string::npos;
        }));
  });
  EXPECT_TRUE(testing::waitUntil([&] { return fake.openWatches("pods") == 1; }));
  fake.apply(test_support::podObject("shop", "web-1"));
  watch.join();
  ASSERT_TRUE(response.has_value());
  ASSERT_TRUE(response->ok()) << response->error();
  EXPECT_EQ((*response)->status, 200);
  const nlohmann::json event = nlohmann::json::parse(received.substr(0, received.find('\n')));
  EXPECT_EQ(event["type"], "ADDED");
  EXPECT_EQ(event["object"]["kind"], "Pod");
  EXPECT_EQ(event["object"]["metadata"]["name"], "web-1");
}

TEST(ApiClient, AWatchThatGoesQuietIsAbandoned) {
  FakeKubeApiServer fake;
  StopSignal stop;
  const auto start = std::chrono::steady_clock::now();
  Result<ApiResponse> response = clientFor(fake.connection(), stop)
                                     ->stream("/api/v1/pods?watch=true&resourceVersion=" + fake.resourceVersion(),
                                              200ms, [](std::string_view) { return true; });
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.error().find("timed out"), std::string::npos) << response.error();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(ApiClient, NothingListeningIsAConnectionError) {
  int port = 0;
  {
    FakeKubeApiServer fake;
    port = fake.port();
  }
  StopSignal stop;
  ConnectionConfig connection;
  connection.server.host = "127.0.0.1";
  connection.server.port = port;
  connection.ca_pem = server::generateSelfSigned()->ca_pem;
  Result<ApiResponse> response = clientFor(connection, stop)->get("/api/v1/pods", 2s);
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.error().find("cannot connect to 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << response.error();
}

}  // namespace
}  // namespace meshward::cluster::kube
