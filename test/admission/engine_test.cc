#include "webhook/admission/engine.h"

#include <stdexcept>

#include <gtest/gtest.h>

#include "policies/messages.h"

namespace meshward::admission {
namespace {

using nlohmann::json;
using policies::Action;

// A rule that reports one finding per label "finding-<n>" on the object, with the rule's
// action, and patches a label when it is mutating.
class LabelRule final : public policies::Rule {
 public:
  LabelRule(std::string_view id, policies::RuleType type) {
    metadata_.id = id;
    metadata_.type = type;
    metadata_.kinds = {cluster::kinds::Pod};
    metadata_.operations = {"CREATE", "UPDATE", "DELETE"};
    metadata_.default_action = type == policies::RuleType::Mutating ? Action::Mutate : Action::Deny;
    metadata_.description = "test rule";
  }
  const policies::RuleMetadata& metadata() const override { return metadata_; }
  void evaluate(const policies::RuleContext& context, policies::Report& report) const override {
    const json& object = context.object.is_object() ? context.object : context.old_object;
    if (metadata_.type == policies::RuleType::Mutating) {
      report.patch("add", "/metadata/labels/mutated", "yes");
      return;
    }
    if (object.contains("metadata") && object["metadata"].value("labels", json::object()).contains("bad")) {
      report.finding(policies::messages::ProxyMemoryLimitTooLow, std::string(metadata_.id) + " says no");
    }
  }

 private:
  policies::RuleMetadata metadata_;
};

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    policy_.rules["deny-rule"].action = Action::Deny;
    policy_.rules["warn-rule"].action = Action::Warn;
    policy_.rules["mutate-rule"].action = Action::Mutate;
  }

  AdmissionRequest podRequest(json labels, json annotations = json::object(), std::string user = "alice",
                              std::vector<std::string> groups = {"dev"}) {
    AdmissionRequest request;
    request.api_version = "admission.k8s.io/v1";
    request.uid = "uid-1";
    request.facts = {"CREATE", "", "v1", "Pod", "shop", "web", std::move(user), std::move(groups), false};
    request.object = {{"metadata", {{"name", "web"}, {"labels", labels}, {"annotations", annotations}}}};
    return request;
  }

  Decision validate(const AdmissionRequest& request) {
    return evaluate(policies::RuleType::Validating, request, policy_, state_, rules_);
  }

  LabelRule deny_rule_{"deny-rule", policies::RuleType::Validating};
  LabelRule warn_rule_{"warn-rule", policies::RuleType::Validating};
  LabelRule mutate_rule_{"mutate-rule", policies::RuleType::Mutating};
  std::vector<const policies::Rule*> rules_{&deny_rule_, &mutate_rule_, &warn_rule_};
  policies::Policy policy_;
  cluster::NoClusterState state_;
};

TEST_F(EngineTest, AllowsACleanObjectAndDeniesABadOneWithEveryDenyingFinding) {
  const Decision clean = validate(podRequest({{"app", "web"}}));
  EXPECT_TRUE(clean.allowed);
  EXPECT_TRUE(clean.findings.empty());

  const Decision bad = validate(podRequest({{"bad", "1"}}));
  EXPECT_FALSE(bad.allowed);
  EXPECT_EQ(bad.status_code, 403);
  EXPECT_EQ(bad.status_reason, "Forbidden");
  EXPECT_EQ(bad.message, "[deny-rule] deny-rule says no");
  ASSERT_EQ(bad.warnings.size(), 1u);
  EXPECT_EQ(bad.warnings[0], "[warn-rule] warn-rule says no");
  EXPECT_TRUE(bad.patch.empty()) << "the validating webhook never patches";
}

TEST_F(EngineTest, PolicyActionsDecideWhatAFindingDoes) {
  policy_.rules["deny-rule"].action = Action::Audit;
  policy_.rules["warn-rule"].action = Action::Off;
  const Decision decision = validate(podRequest({{"bad", "1"}}));
  EXPECT_TRUE(decision.allowed);
  EXPECT_TRUE(decision.warnings.empty());
  ASSERT_EQ(decision.findings.size(), 1u);
  EXPECT_EQ(decision.findings[0].action, Action::Audit);
}

TEST_F(EngineTest, IgnoredNamespacesAreNotEvaluated) {
  AdmissionRequest request = podRequest({{"bad", "1"}});
  request.facts.namespace_name = "kube-system";
  const Decision decision = validate(request);
  EXPECT_TRUE(decision.allowed);
  EXPECT_TRUE(decision.namespace_ignored);
  EXPECT_TRUE(decision.findings.empty());
}

TEST_F(EngineTest, MutatingWebhookReturnsPatchesAndNamesTheRule) {
  const Decision decision =
      evaluate(policies::RuleType::Mutating, podRequest({{"app", "web"}}), policy_, state_, rules_);
  ASSERT_EQ(decision.patch.size(), 1u);
  EXPECT_EQ(decision.patchDocument(), json::parse(R"([{"op":"add","path":"/metadata/labels/mutated","value":"yes"}])"));
  EXPECT_EQ(decision.audit_annotations.back(), (std::pair<std::string, std::string>{"mutated-by", "mutate-rule"}));

  policy_.rules["mutate-rule"].action = Action::Audit;
  EXPECT_TRUE(evaluate(policies::RuleType::Mutating, podRequest({}), policy_, state_, rules_).patch.empty());
}

TEST_F(EngineTest, BreakGlassByAnAuthorisedUserWithAReasonAllowsAndRecords) {
  const Decision decision =
      validate(podRequest({{"bad", "1"}, {"meshward.dev/break-glass", "true"}},
                          {{"meshward.dev/break-glass-reason", "INC-4211 restore checkout"}}, "oncall",
                          {"system:masters", "system:authenticated"}));
  EXPECT_TRUE(decision.allowed);
  ASSERT_TRUE(decision.break_glass.has_value());
  EXPECT_EQ(decision.break_glass->user, "oncall");
  EXPECT_EQ(decision.break_glass->reason, "INC-4211 restore checkout");
  ASSERT_EQ(decision.break_glass->bypassed.size(), 1u);
  EXPECT_EQ(decision.break_glass->bypassed[0].rule, "deny-rule");
  EXPECT_EQ(decision.warnings.front(), "[break-glass bypassed deny-rule] deny-rule says no");
  EXPECT_EQ(decision.audit_annotations.front(),
            (std::pair<std::string, std::string>{"break-glass-bypassed", "deny-rule"}));
}

TEST_F(EngineTest, BreakGlassLabelAloneGrantsNothing) {
  const Decision unauthorised = validate(podRequest({{"bad", "1"}, {"meshward.dev/break-glass", "true"}},
                                                    {{"meshward.dev/break-glass-reason", "because"}}));
  EXPECT_FALSE(unauthorised.allowed);
  EXPECT_FALSE(unauthorised.break_glass.has_value());
  EXPECT_NE(unauthorised.message.find("user 'alice' may not break glass"), std::string::npos) << unauthorised.message;
  EXPECT_NE(unauthorised.message.find("system:masters"), std::string::npos);

  const Decision no_reason = validate(podRequest({{"bad", "1"}, {"meshward.dev/break-glass", "true"}},
                                                 {{"meshward.dev/break-glass-reason", "  "}}, "root", {"system:masters"}));
  EXPECT_FALSE(no_reason.allowed);
  EXPECT_NE(no_reason.message.find("meshward.dev/break-glass-reason"), std::string::npos);

  policy_.break_glass.enabled = false;
  const Decision disabled = validate(podRequest({{"bad", "1"}, {"meshward.dev/break-glass", "true"}},
                                                {{"meshward.dev/break-glass-reason", "x"}}, "root", {"system:masters"}));
  EXPECT_FALSE(disabled.allowed);
  EXPECT_NE(disabled.message.find("disabled"), std::string::npos);
}

TEST_F(EngineTest, BreakGlassAllowListByUserAndOnDelete) {
  policy_.break_glass.allowed_users = {"carol"};
  AdmissionRequest request = podRequest({{"bad", "1"}, {"meshward.dev/break-glass", "true"}},
                                        {{"meshward.dev/break-glass-reason", "rollback"}}, "carol", {});
  request.facts.operation = "DELETE";
  request.old_object = request.object;
  request.object = nullptr;
  const Decision decision = validate(request);
  EXPECT_TRUE(decision.allowed);
  ASSERT_TRUE(decision.break_glass.has_value());
}

TEST_F(EngineTest, AnExpiredBreakGlassIsNotHonouredAndSaysSo) {
  AdmissionRequest request = podRequest({{"bad", "1"}, {"meshward.dev/break-glass", "true"}},
                                        {{"meshward.dev/break-glass-reason", "INC-4211"},
                                         {"meshward.dev/break-glass-expires", "2026-12-07T11:00:00Z"}},
                                        "oncall", {"system:masters"});
  request.facts.now = std::chrono::sys_days{std::chrono::December / 7 / 2026} + std::chrono::hours(12);
  const Decision expired = validate(request);
  EXPECT_FALSE(expired.allowed);
  EXPECT_FALSE(expired.break_glass.has_value());
  EXPECT_NE(expired.message.find("[break-glass] the break-glass expired at 2026-12-07T11:00:00.000Z"), std::string::npos)
      << expired.message;

  request.object["metadata"]["annotations"]["meshward.dev/break-glass-expires"] = "2026-12-07T13:00:00Z";
  const Decision honoured = validate(request);
  EXPECT_TRUE(honoured.allowed) << honoured.message;
  ASSERT_TRUE(honoured.break_glass.has_value());
  EXPECT_EQ(honoured.break_glass->expires, request.facts.now + std::chrono::hours(1));
}

TEST_F(EngineTest, BreakGlassNeverDisablesMutation) {
  const Decision decision =
      evaluate(policies::RuleType::Mutating,
               podRequest({{"meshward.dev/break-glass", "true"}}, {{"meshward.dev/break-glass-reason", "x"}}, "root",
                          {"system:masters"}),
               policy_, state_, rules_);
  EXPECT_EQ(decision.patch.size(), 1u);
}

// A rule that throws on every request, after having reported and patched.
class BrokenRule final : public policies::Rule {
 public:
  BrokenRule() {
    metadata_.id = "broken-rule";
    metadata_.type = policies::RuleType::Validating;
    metadata_.kinds = {cluster::kinds::Pod};
    metadata_.operations = {"CREATE"};
    metadata_.default_action = Action::Deny;
    metadata_.description = "test rule that fails";
  }
  const policies::RuleMetadata& metadata() const override { return metadata_; }
  void evaluate(const policies::RuleContext&, policies::Report& report) const override {
    report.finding(policies::messages::ProxyMemoryLimitTooLow, "half a judgement");
    throw std::out_of_range("map::at");
  }

 private:
  policies::RuleMetadata metadata_;
};

TEST_F(EngineTest, AFailingRuleIsIsolatedAndItsOnErrorActionAnswersForIt) {
  const BrokenRule broken;
  policy_.rules["broken-rule"].action = Action::Deny;
  const std::vector<const policies::Rule*> rules = {&broken, &deny_rule_, &warn_rule_};
  const Decision decision = evaluate(policies::RuleType::Validating, podRequest({{"bad", "1"}}), policy_, state_, rules);
  ASSERT_EQ(decision.rule_errors.size(), 1u);
  EXPECT_EQ(decision.rule_errors[0].rule, "broken-rule");
  EXPECT_EQ(decision.rule_errors[0].what, "map::at");
  std::vector<std::string> codes;
  for (const policies::Finding& finding : decision.findings) {
    codes.push_back(finding.rule + " " + finding.code + " " + std::string(policies::actionName(finding.action)));
  }
  EXPECT_EQ(codes, (std::vector<std::string>{"broken-rule MW0004 warn", "deny-rule MW0101 deny", "warn-rule MW0101 warn"}))
      << "the other rules still judge; the broken rule's half judgement is dropped";
  EXPECT_NE(decision.findings[0].message.find("Pod shop/web: rule broken-rule failed on this request (map::at)"),
            std::string::npos)
      << decision.findings[0].message;

  const Decision clean = evaluate(policies::RuleType::Validating, podRequest({{"app", "web"}}), policy_, state_, rules);
  EXPECT_TRUE(clean.allowed) << "onError defaults to warn: a broken rule never blocks the cluster";
  ASSERT_EQ(clean.warnings.size(), 2u);
  EXPECT_EQ(clean.warnings[0].rfind("[broken-rule] Pod shop/web: rule broken-rule failed", 0), 0u);

  policy_.rules["broken-rule"].on_error = Action::Deny;
  const Decision closed = evaluate(policies::RuleType::Validating, podRequest({{"app", "web"}}), policy_, state_, rules);
  EXPECT_FALSE(closed.allowed) << "onError: deny fails closed";
}

TEST(SplitWarningTest, KeepsEveryWordAndEveryPartWithinTheLimit) {
  std::string message = "[rule] ";
  for (int i = 0; i < 60; ++i) {
    message += "word" + std::to_string(i) + " ";
  }
  message += std::string(300, 'x');
  const auto parts = splitWarning(message);
  std::string rejoined;
  for (const std::string& part : parts) {
    EXPECT_LE(part.size(), kMaxWarningLength);
    EXPECT_FALSE(part.empty());
    rejoined += part;
  }
  for (int i = 0; i < 60; ++i) {
    EXPECT_NE(rejoined.find("word" + std::to_string(i)), std::string::npos);
  }
  EXPECT_NE(rejoined.find(std::string(300, 'x').substr(0, 120)), std::string::npos);
  EXPECT_EQ(splitWarning("short one"), std::vector<std::string>{"short one"});
}

}  // namespace
}  // namespace meshward::admission
