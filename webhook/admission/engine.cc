#include "webhook/admission/engine.h"

#include <algorithm>
#include <set>

#include "policies/messages.h"
#include "policies/registry.h"
#include "webhook/admission/break_glass_expiry.h"
#include "webhook/admission/rule_runner.h"
#include "webhook/common/join.h"

namespace meshward::admission {
namespace {

using policies::Action;
using policies::Finding;

const nlohmann::json* stringMapValue(const nlohmann::json& object, const char* map_name, std::string_view key) {
  if (!object.is_object()) {
    return nullptr;
  }
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) {
    return nullptr;
  }
  auto map = metadata->find(map_name);
  if (map == metadata->end() || !map->is_object()) {
    return nullptr;
  }
  auto value = map->find(std::string(key));
  if (value == map->end() || !value->is_string()) {
    return nullptr;
  }
  return &*value;
}

std::string listOrNobody(const std::vector<std::string>& words) {
  return words.empty() ? "nobody" : joinStrings(words, ", ");
}

bool mayBreakGlass(const policies::BreakGlassSettings& settings, const policies::RequestFacts& facts) {
  const auto& users = settings.allowed_users;
  if (std::find(users.begin(), users.end(), facts.user) != users.end()) {
    return true;
  }
  return std::any_of(facts.groups.begin(), facts.groups.end(), [&](const std::string& group) {
    return std::find(settings.allowed_groups.begin(), settings.allowed_groups.end(), group) !=
           settings.allowed_groups.end();
  });
}

std::string whoMayBreakGlass(const policies::BreakGlassSettings& settings) {
  return "users [" + listOrNobody(settings.allowed_users) + "] and groups [" + listOrNobody(settings.allowed_groups) +
         "]";
}

Finding engineFinding(const policies::MessageCode& code, std::string message) {
  return Finding{"break-glass", std::string(code.code), Action::Deny, std::move(message)};
}

// Applies break-glass to a request with deny findings: either lifts them (returning the
// record) or adds the finding that explains why the label was not honoured.
std::optional<BreakGlassRecord> applyBreakGlass(const AdmissionRequest& request, const policies::Policy& policy,
                                                std::vector<Finding>& findings) {
  const nlohmann::json& object = request.object.is_object() ? request.object : request.old_object;
  const nlohmann::json* label = stringMapValue(object, "labels", kBreakGlassLabel);
  if (label == nullptr || label->get_ref<const std::string&>() != "true") {
    return std::nullopt;
  }
  const nlohmann::json* reason_value = stringMapValue(object, "annotations", kBreakGlassReasonAnnotation);
  std::string reason = reason_value == nullptr ? "" : reason_value->get<std::string>();
  const bool blank_reason = std::all_of(reason.begin(), reason.end(), [](unsigned char c) { return std::isspace(c); });
  const policies::RequestFacts& facts = request.facts;
  if (!policy.break_glass.enabled) {
    findings.push_back(engineFinding(policies::messages::BreakGlassNotAuthorized,
                                     "break-glass is disabled by the policy (breakGlass.enabled: false); fix the "
                                     "findings above or change the policy"));
    return std::nullopt;
  }
  if (!mayBreakGlass(policy.break_glass, facts)) {
    findings.push_back(engineFinding(
        policies::messages::BreakGlassNotAuthorized,
        "user '" + facts.user + "' may not break glass: only " + whoMayBreakGlass(policy.break_glass) +
            " may (policy breakGlass.allowedUsers/allowedGroups); fix the findings above or ask one of them"));
    return std::nullopt;
  }
  if (blank_reason) {
    findings.push_back(engineFinding(policies::messages::BreakGlassReasonMissing,
                                     "the label " + std::string(kBreakGlassLabel) +
                                         "=true needs a non-empty annotation " +
                                         std::string(kBreakGlassReasonAnnotation) +
                                         " saying why (it goes into the audit log)"));
    return std::nullopt;
  }
  Result<std::chrono::system_clock::time_point> expires = breakGlassExpiry(request, policy.break_glass);
  if (!expires) {
    findings.push_back(engineFinding(policies::messages::BreakGlassExpired, expires.error()));
    return std::nullopt;
  }
  BreakGlassRecord record{facts.user, std::move(reason), {}, *expires};
  for (const Finding& finding : findings) {
    if (finding.action == Action::Deny) {
      record.bypassed.push_back(finding);
    }
  }
  return record;
}

std::string joinRuleIds(const std::vector<Finding>& findings, Action action) {
  std::set<std::string> ids;
  for (const Finding& finding : findings) {
    if (finding.action == action) {
      ids.insert(finding.rule);
    }
  }
  return joinStrings(ids, ",");
}

}  // namespace

std::vector<std::string> splitWarning(const std::string& message) {
  std::vector<std::string> parts;
  std::string current;
  size_t position = 0;
  while (position < message.size()) {
    size_t word_end = message.find(' ', position);
    if (word_end == std::string::npos) {
      word_end = message.size();
    }
    std::string word = message.substr(position, word_end - position);
    position = word_end + 1;
    while (word.size() > kMaxWarningLength) {
      if (!current.empty()) {
        parts.push_back(std::move(current));
        current.clear();
      }
      parts.push_back(word.substr(0, kMaxWarningLength));
      word.erase(0, kMaxWarningLength);
    }
    if (word.empty()) {
      continue;
    }
    if (!current.empty() && current.size() + 1 + word.size() > kMaxWarningLength) {
      parts.push_back(std::move(current));
      current.clear();
    }
    current += (current.empty() ? "" : " ") + word;
  }
  if (!current.empty()) {
    parts.push_back(std::move(current));
  }
  return parts;
}

Decision evaluate(policies::RuleType webhook, const AdmissionRequest& request, const policies::Policy& policy,
                  const cluster::ClusterState& cluster) {
  return evaluate(webhook, request, policy, cluster, policies::allRules());
}

Decision evaluate(policies::RuleType webhook, const AdmissionRequest& request, const policies::Policy& policy,
                  const cluster::ClusterState& cluster, const std::vector<const policies::Rule*>& rules) {
  Decision decision;
  const policies::RequestFacts& facts = request.facts;
  if (!facts.namespace_name.empty() && policy.isIgnoredNamespace(facts.namespace_name)) {
    decision.namespace_ignored = true;
    return decision;
  }
  policies::RequestMemo memo;
  for (const policies::Rule* rule : rules) {
    const policies::RuleMetadata& metadata = rule->metadata();
    if (metadata.type != webhook || !metadata.appliesTo(facts.group, facts.kind, facts.operation)) {
      continue;
    }
    const policies::RuleSettings& settings = policy.settingsFor(metadata.id);
    if (settings.action == Action::Off) {
      continue;
    }
    policies::RuleContext context{facts, request.object, request.old_object, cluster, settings, policy.mesh};
    context.memo = &memo;
    RuleOutcome outcome = runRule(*rule, context);
    std::move(outcome.findings.begin(), outcome.findings.end(), std::back_inserter(decision.findings));
    if (settings.action == Action::Mutate) {
      std::move(outcome.patches.begin(), outcome.patches.end(), std::back_inserter(decision.patch));
    }
    if (outcome.error) {
      decision.rule_errors.push_back(RuleError{std::string(metadata.id), std::move(*outcome.error)});
    }
  }

  const bool has_deny = std::any_of(decision.findings.begin(), decision.findings.end(),
                                    [](const Finding& finding) { return finding.action == Action::Deny; });
  if (has_deny) {
    decision.break_glass = applyBreakGlass(request, policy, decision.findings);
  }
  for (const Finding& finding : decision.findings) {
    const bool bypassed = decision.break_glass.has_value() && finding.action == Action::Deny;
    if (finding.action == Action::Warn || bypassed) {
      const std::string prefix = bypassed ? "[break-glass bypassed " + finding.rule + "] " : "[" + finding.rule + "] ";
      for (std::string& part : splitWarning(prefix + finding.message)) {
        decision.warnings.push_back(std::move(part));
      }
    } else if (finding.action == Action::Deny) {
      decision.message += (decision.message.empty() ? "" : "\n") + ("[" + finding.rule + "] " + finding.message);
    }
  }
  if (!decision.message.empty()) {
    decision.allowed = false;
    decision.status_code = 403;
    decision.status_reason = "Forbidden";
  }

  if (const std::string denied = joinRuleIds(decision.findings, Action::Deny); !denied.empty()) {
    decision.audit_annotations.emplace_back(decision.break_glass ? "break-glass-bypassed" : "denied-by", denied);
  }
  if (const std::string warned = joinRuleIds(decision.findings, Action::Warn); !warned.empty()) {
    decision.audit_annotations.emplace_back("warned-by", warned);
  }
  if (decision.break_glass) {
    decision.audit_annotations.emplace_back("break-glass-user", decision.break_glass->user);
  }
  if (!decision.patch.empty()) {
    std::set<std::string> patching_rules;
    for (const policies::PatchOperation& operation : decision.patch) {
      patching_rules.insert(operation.rule);
    }
    decision.audit_annotations.emplace_back("mutated-by", joinStrings(patching_rules, ","));
  }
  return decision;
}

}  // namespace meshward::admission
