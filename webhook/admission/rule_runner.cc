#include "webhook/admission/rule_runner.h"

#include <algorithm>
#include <exception>

#include "policies/common/workload.h"
#include "policies/messages.h"

namespace meshward::admission {
namespace {

using policies::Action;

std::string kindsNamed(const std::vector<const cluster::KindInfo*>& kinds) {
  std::string text;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const cluster::KindInfo& kind = *kinds[i];
    text += (i == 0 ? "" : i + 1 == kinds.size() ? " and " : ", ") + std::string(kind.kind) + "s";
    if (!kind.group.empty()) {
      text += " (" + std::string(kind.group) + ")";
    }
  }
  return text;
}

const nlohmann::json& subjectOf(const policies::RuleContext& context) {
  return context.object.is_object() ? context.object : context.old_object;
}

policies::Finding gapFinding(const policies::RuleContext& context, std::string_view rule_id, const std::string& gap) {
  const Action action = context.settings.action == Action::Audit ? Action::Audit : Action::Warn;
  return policies::Finding{
      std::string(rule_id), std::string(policies::messages::ClusterStateUnavailable.code), action,
      policies::describeObject(context.request, subjectOf(context)) + ": " + std::string(rule_id) +
          " could not be checked because " + gap +
          "; it is admitted unchecked. Run `meshward check` on your manifests to verify."};
}

policies::Finding failureFinding(const policies::RuleContext& context, std::string_view rule_id,
                                 const std::string& error) {
  const bool denies = context.settings.on_error == Action::Deny;
  return policies::Finding{
      std::string(rule_id), std::string(policies::messages::RuleFailed.code), context.settings.on_error,
      policies::describeObject(context.request, subjectOf(context)) + ": rule " + std::string(rule_id) +
          " failed on this request (" + error + ") and could not judge it; " +
          (denies ? "the policy denies what a failing rule cannot judge (onError: deny)."
                  : "it is admitted unchecked (onError). Report this to the platform team with the audit record.")};
}

}  // namespace

std::optional<std::string> inputGap(const cluster::ClusterState& cluster, const policies::RuleMetadata& metadata) {
  const auto required = [](const policies::RuleInput& input) { return input.required; };
  if (std::none_of(metadata.inputs.begin(), metadata.inputs.end(), required)) {
    return std::nullopt;
  }
  if (!cluster.available()) {
    return "meshward has no cluster state (serve it with --kubeconfig, in-cluster credentials or --cluster-state)";
  }
  if (!cluster.ready()) {
    return "the cluster state is still being listed";
  }
  std::vector<const cluster::KindInfo*> untracked;
  for (const policies::RuleInput& input : metadata.inputs) {
    if (input.required && !cluster.tracksKind(input.kind.group, input.kind.kind)) {
      untracked.push_back(&input.kind);
    }
  }
  if (untracked.empty()) {
    return std::nullopt;
  }
  return "the cluster state does not follow " + kindsNamed(untracked);
}

RuleOutcome runRule(const policies::Rule& rule, const policies::RuleContext& context) {
  const policies::RuleMetadata& metadata = rule.metadata();
  RuleOutcome outcome;
  try {
    const std::optional<std::string> gap = inputGap(context.cluster, metadata);
    policies::RuleContext judged = context;
    judged.input_gap = gap ? &*gap : nullptr;
    policies::Report report(metadata.id, context.settings.action);
    rule.evaluate(judged, report);
    outcome.findings = std::move(report.findings());
    outcome.patches = std::move(report.patches());
    if (report.missedInputs() && gap) {
      outcome.findings.push_back(gapFinding(context, metadata.id, *gap));
    }
  } catch (const std::exception& failure) {
    outcome = RuleOutcome{};
    outcome.error = failure.what();
  } catch (...) {
    outcome = RuleOutcome{};
    outcome.error = "an exception that is not a std::exception";
  }
  if (outcome.error) {
    outcome.findings.push_back(failureFinding(context, metadata.id, *outcome.error));
  }
  return outcome;
}

}  // namespace meshward::admission
