#include "policies/authorization_policy_lockout/authorization_policy_lockout_rule.h"

#include <optional>

#include "policies/authorization_policy_lockout/workload_lockouts.h"
#include "policies/common/name_list.h"
#include "policies/common/workload.h"
#include "policies/indexes/authorization_policies.h"
#include "policies/indexes/pods_without_sidecar.h"
#include "policies/meshes/istio.h"
#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kMaxPodsNamed = "maxPodsNamed";

struct LockoutConfig final : RuleConfig {
  std::size_t pods_named = 5;
};

std::string describeScope(const AuthorizationPolicy& policy, std::string_view root_namespace) {
  std::string action = policy.action == AuthorizationAction::Deny ? "DENY" : "ALLOW";
  if (policy.has_target_refs) {
    std::vector<std::string> gateways = policy.target_gateways;
    return action + " on targetRefs" + (gateways.empty() ? "" : " Gateway " + listNames(gateways, gateways.size()));
  }
  if (policy.selector.empty()) {
    return (policy.namespace_name == root_namespace ? "mesh-wide " : "namespace-wide ") + action;
  }
  std::string text = action + " for selector ";
  bool first = true;
  for (const auto& [key, value] : policy.selector) {
    text += (first ? "" : ",") + key + "=" + value;
    first = false;
  }
  return text;
}

std::optional<AuthorizationPolicy> reviewedVersion(const nlohmann::json& object, std::string_view namespace_name,
                                                   std::string_view name) {
  if (!object.is_object()) {
    return std::nullopt;
  }
  return parseAuthorizationPolicy(namespace_name, name, object);
}

bool judged(const std::optional<AuthorizationPolicy>& policy) {
  return policy && (policy->action == AuthorizationAction::Allow || policy->action == AuthorizationAction::Deny);
}

std::string podsText(const PodList& pods) {
  return std::to_string(pods.count) + (pods.count == 1 ? " pod" : " pods") + " with an Istio sidecar";
}

// " (a, b and 3 more)"
std::string namedText(const PodList& pods) {
  return pods.names.empty() ? "" : " (" + listNames(pods.names, pods.count) + ")";
}

}  // namespace

const RuleMetadata& AuthorizationPolicyLockoutRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "authorization-policy-lockout",
      .type = RuleType::Validating,
      .kinds = {istio::AuthorizationPolicy},
      .operations = {"CREATE", "UPDATE", "DELETE"},
      .default_action = Action::Deny,
      .description =
          "Stops AuthorizationPolicy changes after which running workloads with an Istio sidecar reject every "
          "request, or every caller without a sidecar.",
      .codes = {messages::AuthorizationPolicyAllowsNothing, messages::AuthorizationPolicyDeniesEverything,
                messages::AuthorizationPolicyNeedsCallerIdentity, messages::AuthorizationPolicyLastAllowRemoved},
      .parameters =
          {
              {.name = kMaxPodsNamed,
               .type = ParamType::Integer,
               .default_value = "5",
               .description = "How many of the affected pods and callers a finding names (0 to 100; the count covers them all).",
               .minimum = 0,
               .maximum = 100},
          },
      .inputs = {{istio::AuthorizationPolicy}, {cluster::kinds::Pod}, {cluster::kinds::Namespace, false}},
      .reads = {{istio::AuthorizationPolicy,
                 {"/metadata/annotations/istio.io~1dry-run", "/spec/action", "/spec/selector", "/spec/targetRef",
                  "/spec/targetRefs", "/spec/rules"}},
                {cluster::kinds::Namespace, {"/metadata/labels"}}},
      .indexes = {&authorizationPoliciesIndex(), &podsWithSidecarIndex(), &podsWithoutSidecarIndex()},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

Result<std::shared_ptr<const RuleConfig>> AuthorizationPolicyLockoutRule::configure(const RuleSettings& settings) const {
  auto config = std::make_shared<LockoutConfig>();
  config->pods_named = static_cast<std::size_t>(settings.integer(kMaxPodsNamed));
  return std::shared_ptr<const RuleConfig>(std::move(config));
}

void AuthorizationPolicyLockoutRule::evaluate(const RuleContext& context, Report& report) const {
  const RequestFacts& request = context.request;
  const nlohmann::json& subject = context.object.is_object() ? context.object : context.old_object;
  const std::string namespace_name = objectNamespace(request, subject);
  const std::string name = request.name.empty()
                               ? std::string(stringMember(objectMember(&subject, "metadata"), "name").value_or(""))
                               : request.name;
  std::optional<AuthorizationPolicy> before;
  if (request.operation == "UPDATE" || request.operation == "DELETE") {
    before = reviewedVersion(context.old_object, namespace_name, name);
  }
  std::optional<AuthorizationPolicy> after;
  if (request.operation == "CREATE" || request.operation == "UPDATE") {
    after = reviewedVersion(context.object, namespace_name, name);
  }
  if ((!judged(before) && !judged(after)) || !context.inputsAvailable(report)) {
    return;
  }
  // A dry-run policy is judged as it would be enforced, and reported for the audit log only.
  const bool dry_run = after && after->dry_run;
  if (dry_run) {
    after->dry_run = false;
  }
  const AuthorizationChange change{before ? &*before : nullptr, after ? &*after : nullptr};
  const std::size_t max_names = context.config<LockoutConfig>().pods_named;
  const WorkloadLockouts lockouts = findWorkloadLockouts(context.cluster, context.mesh, change, max_names);

  const AuthorizationPolicy& reviewed = after ? *after : *before;
  const std::string subject_text = "AuthorizationPolicy " + reviewed.key() + " (" +
                                   describeScope(reviewed, context.mesh.root_namespace) + "): " +
                                   std::string(describeOperation(request.operation));
  const std::string dry_run_text = dry_run ? " (istio.io/dry-run: reported, not enforced)" : "";
  const auto finding = [&](const MessageCode& code, std::string message) {
    if (dry_run) {
      report.finding(code, std::move(message) + dry_run_text, Action::Audit);
    } else {
      report.finding(code, std::move(message));
    }
  };
  if (lockouts.denied_everything.count > 0) {
    finding(messages::AuthorizationPolicyDeniesEverything,
            subject_text + " makes " + podsText(lockouts.denied_everything) + " reject every request" +
                namedText(lockouts.denied_everything) + ": a DENY rule without from, to or when (or with \"*\" in every field it sets) "
                "matches all traffic. Give the rule the from/to/when that names what to deny, or delete the policy.");
  }
  if (lockouts.allowed_nothing.count > 0) {
    finding(messages::AuthorizationPolicyAllowsNothing,
            subject_text + " makes " + podsText(lockouts.allowed_nothing) + " reject every request" +
                namedText(lockouts.allowed_nothing) + ": an ALLOW policy without rules allows nothing, and no other ALLOW policy "
                "admits anything to them. Create the ALLOW policies those workloads need first, or add the rules "
                "that admit their callers to this one.");
  }
  if (lockouts.last_allow_removed.count > 0) {
    finding(messages::AuthorizationPolicyLastAllowRemoved,
            subject_text + " leaves " + podsText(lockouts.last_allow_removed) +
                namedText(lockouts.last_allow_removed) + " with no ALLOW policy that admits "
                "anything" + (lockouts.default_deny.empty() ? "" : " under the default deny of " + lockouts.default_deny) +
                ", so they reject every request. Create the ALLOW policy that replaces it first, then make this change.");
  }
  if (lockouts.identity_only.count > 0) {
    finding(messages::AuthorizationPolicyNeedsCallerIdentity,
            subject_text + " admits only callers with an mTLS identity (source.principals or source.namespaces) to " +
                podsText(lockouts.identity_only) + namedText(lockouts.identity_only) +
                "; but callers without a sidecar have no principal, and " +
                std::to_string(lockouts.callers_without_identity.count) + " of the callers it names " +
                (lockouts.callers_without_identity.count == 1 ? "runs" : "run") + " without one" +
                namedText(lockouts.callers_without_identity) + ". Their requests will be denied. Inject sidecars into those callers and restart them first, or admit "
                "them with a rule that needs no identity (for example source.ipBlocks).");
  }
}

}  // namespace meshward::policies
