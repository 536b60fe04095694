#include "webhook/server/webhook_server.h"

#include <atomic>
#include <chrono>

#include <gtest/gtest.h>

#include "test/server/server_test_support.h"
#include "webhook/server/metrics_impl.h"

namespace meshward::server {
namespace {

using testing::clientTrusting;
using testing::PairFiles;
using testing::ScratchDirectory;
using testing::writePair;

class SwitchableClusterState final : public cluster::ClusterState {
 public:
  explicit SwitchableClusterState(std::atomic<bool>& ready) : ready_(ready) {}
  bool available() const override { return true; }
  bool ready() const override { return ready_.load(); }
  std::optional<cluster::NamespaceInfo> findNamespace(std::string_view) const override { return std::nullopt; }

 private:
  std::atomic<bool>& ready_;
};

class WebhookServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pair_ = writePair(directory_, "server");
    options_.https.listen = {"127.0.0.1", 0};
    options_.metrics_listen = {"127.0.0.1", 0};
  }

  WebhookServerParts parts() {
    WebhookServerParts parts;
    auto policy = policies::loadBuiltInPolicy();
    EXPECT_TRUE(policy.ok()) << policy.error();
    parts.policy = std::make_shared<const policies::Policy>(std::move(*policy));
    auto pair = parseKeyPair(pair_.pem.cert_pem, pair_.pem.key_pem, "server");
    EXPECT_TRUE(pair.ok()) << pair.error();
    parts.tls = TlsReloader::fixed(*pair, metrics_);
    parts.cluster = std::make_unique<SwitchableClusterState>(cluster_ready_);
    auto audit_log = audit::AuditLog::open(
        {.to_stdout = false, .file = (directory_.path() / "audit.log").string(), .max_wait = std::chrono::seconds(30)});
    EXPECT_TRUE(audit_log.ok()) << audit_log.error();
    parts.audit_log = std::move(*audit_log);
    return parts;
  }

  ScratchDirectory directory_;
  PairFiles pair_;
  MetricsImpl metrics_;
  WebhookServerOptions options_;
  std::atomic<bool> cluster_ready_{true};
};

TEST_F(WebhookServerTest, ServesAdmissionProbesAndMetricsThenShutsDown) {
  auto server = WebhookServer::start(parts(), options_, metrics_);
  ASSERT_TRUE(server.ok()) << server.error();
  auto https = clientTrusting((*server)->httpsPort(), pair_.ca_file);

  auto ready = https->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  auto answered = https->Post("/validate", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
      "request":{"uid":"u1","kind":{"group":"","version":"v1","kind":"Pod"},
      "resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","namespace":"shop",
      "userInfo":{"username":"alice"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}}})",
                              "application/json");
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 200) << answered->body;

  httplib::Client scrape("127.0.0.1", (*server)->metricsPort());
  auto metrics_page = scrape.Get("/metrics");
  ASSERT_TRUE(metrics_page);
  EXPECT_EQ(metrics_page->status, 200);
  EXPECT_EQ(metrics_page->get_header_value("Content-Type"), kPrometheusContentType);
  EXPECT_NE(metrics_page->body.find("meshward_http_requests_total{path=\"/validate\",code=\"200\"} 1"),
            std::string::npos)
      << metrics_page->body;
  auto elsewhere = scrape.Get("/validate");
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 404);
  auto wrong_method = scrape.Post("/metrics", "", "text/plain");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);

  (*server)->shutdown();
  EXPECT_EQ((*server)->notReadyReason(), "shutting down");
  EXPECT_FALSE(clientTrusting((*server)->httpsPort(), pair_.ca_file)->Get("/healthz")) << "no longer accepting";
  (*server)->shutdown();  // idempotent
}

TEST_F(WebhookServerTest, ReadyzWaitsForTheClusterState) {
  cluster_ready_ = false;
  auto server = WebhookServer::start(parts(), options_, metrics_);
  ASSERT_TRUE(server.ok()) << server.error();
  auto https = clientTrusting((*server)->httpsPort(), pair_.ca_file);
  auto not_ready = https->Get("/readyz");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_NE(not_ready->body.find("cluster state"), std::string::npos) << not_ready->body;
  cluster_ready_ = true;
  auto ready = https->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
}

TEST_F(WebhookServerTest, AMetricsPortInUseIsAnError) {
  auto first = WebhookServer::start(parts(), options_, metrics_);
  ASSERT_TRUE(first.ok()) << first.error();
  options_.metrics_listen.port = (*first)->metricsPort();
  auto second = WebhookServer::start(parts(), options_, metrics_);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find(std::to_string((*first)->metricsPort())), std::string::npos) << second.error();
}

TEST_F(WebhookServerTest, MissingPartsAreAnError) {
  WebhookServerParts incomplete = parts();
  incomplete.tls.reset();
  auto server = WebhookServer::start(std::move(incomplete), options_, metrics_);
  EXPECT_FALSE(server.ok());
}

}  // namespace
}  // namespace meshward::server
