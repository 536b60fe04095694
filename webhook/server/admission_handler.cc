#include "webhook/server/admission_handler.h"

#include <chrono>
#include <exception>

#include <spdlog/spdlog.h>

#include "policies/registry.h"
#include "webhook/admission/engine.h"
#include "webhook/audit/audit_record.h"

namespace meshward::server {
namespace {

using Clock = std::chrono::steady_clock;

std::string_view operationLabel(std::string_view operation) {
  for (std::string_view known : {"CREATE", "UPDATE", "DELETE", "CONNECT"}) {
    if (operation == known) {
      return known;
    }
  }
  return "other";
}

std::set<std::string, std::less<>> kindsReadByRules() {
  std::set<std::string, std::less<>> kinds;
  for (const policies::Rule* rule : policies::allRules()) {
    for (const cluster::KindInfo& kind : rule->metadata().kinds) {
      kinds.emplace(kind.kind);
    }
  }
  return kinds;
}

}  // namespace

Evaluator engineEvaluator() {
  return [](policies::RuleType webhook, const admission::AdmissionRequest& request, const policies::Policy& policy,
            const cluster::ClusterState& cluster) { return admission::evaluate(webhook, request, policy, cluster); };
}

std::string_view webhookName(policies::RuleType webhook) {
  return webhook == policies::RuleType::Validating ? "validate" : "mutate";
}

AdmissionHandler::AdmissionHandler(const PolicyStore& policies, const cluster::ClusterState& cluster,
                                   audit::AuditLog* audit_log, Metrics& metrics, Evaluator evaluator)
    : policies_(policies),
      cluster_(cluster),
      audit_log_(audit_log),
      metrics_(metrics),
      evaluator_(std::move(evaluator)),
      known_kinds_(kindsReadByRules()),
      decoder_(admission::ReviewFields(policies::allRules())) {}

HttpReply AdmissionHandler::handle(policies::RuleType webhook, std::string_view body) const {
  try {
    auto request = decoder_.decode(body, webhook);
    if (!request) {
      return jsonError(400, request.error());
    }
    request->facts.now = std::chrono::system_clock::now();
    return decide(webhook, *request);
  } catch (const std::exception& error) {
    spdlog::error("internal error in the {} webhook: {}", webhookName(webhook), error.what());
  } catch (...) {
    spdlog::error("internal error in the {} webhook: unknown exception", webhookName(webhook));
  }
  metrics_.recordInternalError("admission");
  return jsonError(500, "internal error while evaluating the request; see the meshward log");
}

HttpReply AdmissionHandler::decide(policies::RuleType webhook, const admission::AdmissionRequest& request) const {
  const auto started = Clock::now();
  const std::shared_ptr<const policies::Policy> policy = policies_.current();
  if (!policy) {
    metrics_.recordInternalError("admission");
    return jsonError(500, "no policy loaded");
  }
  const admission::Decision decision = evaluator_(webhook, request, *policy, cluster_);
  for (const admission::RuleError& failure : decision.rule_errors) {
    metrics_.recordRuleError(failure.rule);
    if (const std::string line = rule_errors_.note(failure.rule, failure.what); !line.empty()) {
      spdlog::error("{}", line);
    }
  }
  std::string response = admission::encodeAdmissionResponse(request, decision);
  const auto elapsed = Clock::now() - started;
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  if (audit_log_ != nullptr) {
    audit_log_->write(audit::auditLine(request, decision, webhookName(webhook), std::chrono::system_clock::now(),
                                       micros, policy->hash));
  }
  recordMetrics(webhook, request, decision, std::chrono::duration<double>(elapsed).count());
  spdlog::debug("{} {} {} {}/{}: {} ({} us)", webhookName(webhook), request.uid, request.facts.operation,
                request.facts.namespace_name, request.facts.name, decision.allowed ? "allowed" : "denied", micros);
  return {200, std::move(response)};
}

void AdmissionHandler::recordMetrics(policies::RuleType webhook, const admission::AdmissionRequest& request,
                                     const admission::Decision& decision, double seconds) const {
  const std::string_view kind = known_kinds_.contains(request.facts.kind) ? std::string_view(request.facts.kind)
                                                                          : std::string_view("other");
  metrics_.recordAdmission(webhookName(webhook), kind, operationLabel(request.facts.operation), decision.allowed,
                           request.facts.dry_run, seconds);
  for (const policies::Finding& finding : decision.findings) {
    metrics_.recordFinding(finding.rule, policies::actionName(finding.action));
  }
  std::set<std::string_view> patching_rules;
  for (const policies::PatchOperation& operation : decision.patch) {
    patching_rules.insert(operation.rule);
  }
  for (std::string_view rule : patching_rules) {
    metrics_.recordMutation(rule);
  }
  if (decision.break_glass) {
    for (const policies::Finding& bypassed : decision.break_glass->bypassed) {
      metrics_.recordBreakGlass(bypassed.rule);
    }
  }
}

}  // namespace meshward::server
