#include "webhook/server/admission_handler.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "test/audit/audit_test_support.h"
#include "test/server/server_test_support.h"
#include "webhook/server/metrics_impl.h"

namespace meshward::server {
namespace {

using nlohmann::json;
using policies::RuleType;
using testing::ScratchDirectory;

json review(const std::string& uid, const std::string& kind = "Pod") {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", uid},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", kind}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
            {"operation", "CREATE"},
            {"namespace", "shop"},
            {"name", "web"},
            {"userInfo", {{"username", "alice"}, {"groups", {"dev"}}}},
            {"object", {{"apiVersion", "v1"}, {"kind", kind}, {"metadata", {{"name", "web"}, {"namespace", "shop"}}}}},
            {"dryRun", false}}}};
}

std::vector<json> auditLines(const std::string& path) {
  std::ifstream file(path);
  std::vector<json> lines;
  for (std::string line; std::getline(file, line);) {
    lines.push_back(json::parse(line));
  }
  return lines;
}

policies::Finding finding(std::string rule, policies::Action action) {
  return {std::move(rule), "MW0000", action, "message"};
}

// Allowed only because break-glass lifted a deny finding, as the engine decides it.
admission::Decision breakGlassBypass() {
  admission::Decision decision;
  decision.findings = {finding("sidecar-memory", policies::Action::Deny)};
  decision.warnings = {"[break-glass bypassed sidecar-memory] message"};
  decision.break_glass =
      admission::BreakGlassRecord{"oncall", "INC-7", {finding("sidecar-memory", policies::Action::Deny)}};
  decision.audit_annotations = {{"break-glass-bypassed", "sidecar-memory"}, {"break-glass-user", "oncall"}};
  return decision;
}

class AdmissionHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto policy = policies::loadBuiltInPolicy();
    ASSERT_TRUE(policy.ok()) << policy.error();
    store_ = std::make_unique<PolicyStore>(std::make_shared<const policies::Policy>(std::move(*policy)));
    audit_file_ = (directory_.path() / "audit.log").string();
    auto audit_log = audit::AuditLog::open(
        {.to_stdout = false, .file = audit_file_, .max_wait = std::chrono::seconds(30)}, &metrics_);
    ASSERT_TRUE(audit_log.ok()) << audit_log.error();
    audit_log_ = std::move(*audit_log);
  }

  AdmissionHandler handler(Evaluator evaluator) {
    return AdmissionHandler(*store_, cluster_, audit_log_.get(), metrics_, std::move(evaluator));
  }

  // An audit log whose only destination refuses every record (ENOSPC); null when there is no /dev/full.
  std::unique_ptr<audit::AuditLog> fullAuditLog() {
    if (!std::filesystem::exists("/dev/full")) {
      return nullptr;
    }
    auto full = audit::AuditLog::open(
        {.to_stdout = false, .file = "/dev/full", .max_wait = std::chrono::seconds(30)}, &metrics_);
    EXPECT_TRUE(full.ok()) << full.error();
    return full.ok() ? std::move(*full) : nullptr;
  }

  ScratchDirectory directory_;
  std::unique_ptr<PolicyStore> store_;
  cluster::NoClusterState cluster_;
  std::string audit_file_;
  std::unique_ptr<audit::AuditLog> audit_log_;
  MetricsImpl metrics_;
};

TEST_F(AdmissionHandlerTest, AnswersAuditsBeforeReturningAndCounts) {
  auto decide = [](RuleType, const admission::AdmissionRequest&, const policies::Policy&,
                   const cluster::ClusterState&) {
    admission::Decision decision;
    decision.findings = {finding("sidecar-memory", policies::Action::Warn)};
    decision.patch = {{"add", "/a", 1, "proxy-defaults"}, {"add", "/b", 2, "proxy-defaults"}};
    decision.break_glass = admission::BreakGlassRecord{"alice", "incident 7", {finding("strict-mtls", policies::Action::Deny)}};
    return decision;
  };
  const HttpReply reply = handler(decide).handle(RuleType::Mutating, review("uid-42").dump());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json answer = json::parse(reply.body);
  EXPECT_EQ(answer["response"]["uid"], "uid-42");
  EXPECT_EQ(answer["response"]["allowed"], true);

  const std::vector<json> lines = auditLines(audit_file_);
  ASSERT_EQ(lines.size(), 1u) << "the record is written before the response is returned";
  EXPECT_EQ(lines[0]["uid"], "uid-42");
  EXPECT_EQ(lines[0]["webhook"], "mutate");
  EXPECT_EQ(lines[0]["policyHash"], store_->current()->hash);

  EXPECT_EQ(metrics_.admissions(), 1u);
  const std::string text = metrics_.exposition();
  EXPECT_NE(text.find("meshward_admission_requests_total{webhook=\"mutate\",kind=\"Pod\",operation=\"CREATE\","
                      "decision=\"allowed\",dry_run=\"false\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("meshward_rule_findings_total{rule=\"sidecar-memory\",action=\"warn\"} 1"), std::string::npos);
  EXPECT_NE(text.find("meshward_mutations_total{rule=\"proxy-defaults\"} 1"), std::string::npos)
      << "one per patching rule, not per operation";
  EXPECT_NE(text.find("meshward_break_glass_total{rule=\"strict-mtls\"} 1"), std::string::npos);
}

TEST_F(AdmissionHandlerTest, AThrowingEvaluatorIsA500AndTheNextRequestIsServed) {
  auto decide = [](RuleType, const admission::AdmissionRequest& request, const policies::Policy&,
                   const cluster::ClusterState&) {
    if (request.uid == "boom") {
      throw std::out_of_range("rule read an undeclared parameter");
    }
    return admission::Decision{};
  };
  const AdmissionHandler under_test = handler(decide);
  const HttpReply failed = under_test.handle(RuleType::Validating, review("boom").dump());
  EXPECT_EQ(failed.status, 500);
  EXPECT_TRUE(json::parse(failed.body)["error"].is_string()) << failed.body;
  EXPECT_EQ(metrics_.internalErrors("admission"), 1u);
  EXPECT_TRUE(auditLines(audit_file_).empty());

  const HttpReply next = under_test.handle(RuleType::Validating, review("fine").dump());
  EXPECT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(auditLines(audit_file_).size(), 1u);
}

TEST_F(AdmissionHandlerTest, AMalformedReviewIsA400WithTheDecodersMessage) {
  const AdmissionHandler under_test = handler(engineEvaluator());
  for (const std::string& body : {std::string("{not json"), std::string("[]"), json{{"kind", "Pod"}}.dump()}) {
    const HttpReply reply = under_test.handle(RuleType::Validating, body);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_FALSE(json::parse(reply.body)["error"].get<std::string>().empty()) << reply.body;
  }
  json no_uid = review("x");
  no_uid["request"].erase("uid");
  EXPECT_NE(under_test.handle(RuleType::Validating, no_uid.dump()).body.find("uid"), std::string::npos);
  EXPECT_EQ(metrics_.internalErrors("admission"), 0u);
  EXPECT_TRUE(auditLines(audit_file_).empty());
}

TEST_F(AdmissionHandlerTest, KindsNoRuleReadsAreCountedAsOther) {
  const AdmissionHandler under_test = handler(engineEvaluator());
  ASSERT_EQ(under_test.handle(RuleType::Validating, review("odd", "Frobnicator").dump()).status, 200);
  EXPECT_NE(metrics_.exposition().find("kind=\"other\""), std::string::npos);
  EXPECT_EQ(metrics_.exposition().find("Frobnicator"), std::string::npos);
}

TEST_F(AdmissionHandlerTest, AnUnwritableAuditLogIsCountedAndTheAnswerStillSent) {
  auto full = audit::AuditLog::open(
      {.to_stdout = false, .file = "/dev/full", .max_wait = std::chrono::seconds(30)}, &metrics_);
  ASSERT_TRUE(full.ok()) << full.error();
  AdmissionHandler under_test(*store_, cluster_, full->get(), metrics_, engineEvaluator());
  EXPECT_EQ(under_test.handle(RuleType::Validating, review("a").dump()).status, 200);
  EXPECT_EQ(under_test.handle(RuleType::Validating, review("b").dump()).status, 200);
  EXPECT_EQ(metrics_.auditWriteFailures(), 2u);
}

TEST_F(AdmissionHandlerTest, ABreakGlassBypassWhoseRecordReachedNoDestinationIsDeniedCountedAndLogged) {
  const std::unique_ptr<audit::AuditLog> full = fullAuditLog();
  if (!full) {
    GTEST_SKIP() << "/dev/full is not available";
  }
  audit::testing::CapturedLog captured;
  AdmissionHandler under_test(*store_, cluster_, full.get(), metrics_,
                              [](RuleType, const admission::AdmissionRequest&, const policies::Policy&,
                                 const cluster::ClusterState&) { return breakGlassBypass(); });
  const HttpReply reply = under_test.handle(RuleType::Validating, review("uid-bypass").dump());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json response = json::parse(reply.body)["response"];
  EXPECT_EQ(response["allowed"], false) << response;
  EXPECT_EQ(response["status"]["code"], 403);
  const std::string message = response["status"]["message"];
  EXPECT_NE(message.find("[break-glass-unaudited] the break-glass bypass could not be audited"), std::string::npos)
      << message;
  EXPECT_NE(message.find("(file: write failed)"), std::string::npos) << message;
  EXPECT_NE(message.find("free space on the audit log's volume"), std::string::npos) << message;
  EXPECT_NE(message.find("\n[sidecar-memory] message"), std::string::npos) << "what was not bypassed: " << message;
  EXPECT_FALSE(response.contains("warnings")) << response;
  EXPECT_EQ(response["auditAnnotations"]["break-glass-refused"], "unaudited") << response;

  EXPECT_EQ(metrics_.breakGlassUnaudited(), 1u);
  EXPECT_EQ(metrics_.auditWriteErrors("file"), 1u);
  const std::string text = metrics_.exposition();
  EXPECT_NE(text.find("decision=\"denied\""), std::string::npos) << text;
  EXPECT_EQ(text.find("meshward_break_glass_total{"), std::string::npos) << "nothing was bypassed";
  EXPECT_EQ(captured.linesContaining("break-glass bypass by 'oncall' refused"), 1u) << captured.text();
  EXPECT_EQ(captured.linesContaining("(uid uid-bypass)"), 1u) << captured.text();
}

TEST_F(AdmissionHandlerTest, AnAuditedBreakGlassBypassIsAllowed) {
  const HttpReply reply = handler([](RuleType, const admission::AdmissionRequest&, const policies::Policy&,
                                     const cluster::ClusterState&) { return breakGlassBypass(); })
                              .handle(RuleType::Validating, review("uid-audited").dump());
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["response"]["allowed"], true) << reply.body;
  EXPECT_EQ(metrics_.breakGlassUnaudited(), 0u);
  ASSERT_EQ(auditLines(audit_file_).size(), 1u);
  EXPECT_EQ(auditLines(audit_file_)[0]["breakGlass"]["user"], "oncall");
}

TEST_F(AdmissionHandlerTest, OtherDecisionsFailOpenWhenTheirRecordReachedNoDestination) {
  const std::unique_ptr<audit::AuditLog> full = fullAuditLog();
  if (!full) {
    GTEST_SKIP() << "/dev/full is not available";
  }
  auto decide = [](RuleType webhook, const admission::AdmissionRequest& request, const policies::Policy&,
                   const cluster::ClusterState&) {
    if (webhook == RuleType::Mutating) {
      return breakGlassBypass();
    }
    if (request.uid == "allowed") {
      return admission::Decision{};
    }
    admission::Decision denied;
    denied.allowed = false;
    denied.status_code = 403;
    denied.status_reason = "Forbidden";
    denied.message = "[sidecar-memory] message";
    return denied;
  };
  AdmissionHandler under_test(*store_, cluster_, full.get(), metrics_, decide);
  const auto answer = [&](RuleType webhook, const std::string& uid) {
    const HttpReply reply = under_test.handle(webhook, review(uid).dump());
    EXPECT_EQ(reply.status, 200) << reply.body;
    return json::parse(reply.body)["response"];
  };
  EXPECT_EQ(answer(RuleType::Mutating, "mutating-break-glass")["allowed"], true)
      << "the mutating webhook fails open, break-glass or not";
  EXPECT_EQ(answer(RuleType::Validating, "allowed")["allowed"], true);
  const json denied = answer(RuleType::Validating, "denied");
  EXPECT_EQ(denied["allowed"], false);
  EXPECT_EQ(denied["status"]["message"], "[sidecar-memory] message");
  EXPECT_EQ(metrics_.breakGlassUnaudited(), 0u);
  EXPECT_EQ(metrics_.auditWriteErrors("file"), 3u);
}

TEST_F(AdmissionHandlerTest, TheRealEngineAnswersACorpusReviewInItsApiVersion) {
  std::ifstream file(std::string(MESHWARD_SHARED_DIR) + "/corpus/admissionreviews/salesforce-pod-create.envelope-v1.json");
  ASSERT_TRUE(file) << "shared corpus missing";
  std::stringstream body;
  body << file.rdbuf();
  const json sent = json::parse(body.str());
  const HttpReply reply = handler(engineEvaluator()).handle(RuleType::Validating, body.str());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json answer = json::parse(reply.body);
  EXPECT_EQ(answer["apiVersion"], sent["apiVersion"]);
  EXPECT_EQ(answer["response"]["uid"], sent["request"]["uid"]);
  EXPECT_EQ(auditLines(audit_file_).size(), 1u);
}

TEST(WebhookNameTest, NamesBothWebhooks) {
  EXPECT_EQ(webhookName(RuleType::Validating), "validate");
  EXPECT_EQ(webhookName(RuleType::Mutating), "mutate");
}

}  // namespace
}  // namespace meshward::server
