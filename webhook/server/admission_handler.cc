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

// A validating decision that allows the request only because break-glass lifted its deny
// findings: it may stand only when its audit record reached somewhere (fails closed).
bool isBreakGlassBypass(policies::RuleType webhook, const admission::Decision& decision) {
  return webhook == policies::RuleType::Validating && decision.allowed && decision.break_glass.has_value();
}

// The break-glass bypass refused: what it would have lifted is denied again, with the reason first.
void refuseUnauditedBypass(admission::Decision& decision, const std::string& unreached) {
  const std::string user = decision.break_glass->user;
  const std::vector<policies::Finding> lifted = decision.break_glass->bypassed;
  decision.break_glass.reset();
  decision.allowed = false;
  decision.status_code = 403;
  decision.status_reason = "Forbidden";
  decision.message = "[break-glass-unaudited] the break-glass bypass could not be audited: its record reached no audit "
                     "destination (" + unreached + "), so the request is refused rather than let through unrecorded; "
                     "free space on the audit log's volume, fix --audit-log (its directory must be writable) or "
                     "meshward's stdout, then retry (see meshward_audit_write_errors_total and the meshward log)";
  for (const policies::Finding& finding : lifted) {
    decision.message += "\n[" + finding.rule + "] " + finding.message;
  }
  decision.warnings.clear();
  decision.audit_annotations = {{"break-glass-refused", "unaudited"}, {"break-glass-user", user}};
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
  admission::Decision decision = evaluator_(webhook, request, *policy, cluster_);
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
    const audit::RecordOutcome audited = audit_log_->write(
        audit::auditLine(request, decision, webhookName(webhook), std::chrono::system_clock::now(), micros,
                         policy->hash));
    if (!audited.reachedAny() && isBreakGlassBypass(webhook, decision)) {
      metrics_.recordBreakGlassUnaudited();
      spdlog::error("break-glass bypass by '{}' refused for {} {}/{} (uid {}): its audit record reached no "
                    "destination ({}) (meshward_break_glass_unaudited_total)",
                    decision.break_glass->user, request.facts.kind, request.facts.namespace_name, request.facts.name,
                    request.uid, audited.unreached);
      refuseUnauditedBypass(decision, audited.unreached);
      response = admission::encodeAdmissionResponse(request, decision);
    }
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
