#include "policies/injection_kept_under_strict/injection_kept_under_strict_rule.h"

#include <optional>
#include <set>

#include "policies/common/authorization_policy.h"
#include "policies/common/name_list.h"
#include "policies/common/workload.h"
#include "policies/indexes/authorization_policies.h"
#include "policies/indexes/istio_injectors.h"
#include "policies/indexes/pods_without_sidecar.h"
#include "policies/meshes/istio.h"
#include "policies/strict_mtls/effective_mtls.h"
#include "webhook/common/join.h"
#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kMaxPodsNamed = "maxPodsNamed";
constexpr std::size_t kMostPoliciesNamed = 3;

struct InjectionConfig final : RuleConfig {
  std::size_t pods_named = 5;
};

// Whether labels that select `selected` get sidecars: an injector serves it, or none is in view
// (meshward cannot tell, and assumes the label does what it says).
bool served(const std::optional<std::string>& selected, const Injectors& injectors) {
  return selected && (injectors.empty() || injectors.serves(*selected));
}

// What the update does to the namespace's injection, for the message.
std::string describeLabelChange(const cluster::Labels& before, const cluster::Labels& after) {
  std::vector<std::string> changes;
  for (const std::string_view key : {istio::kInjectionNamespaceLabel, istio::kRevisionLabel}) {
    const auto old_value = before.find(key);
    const auto new_value = after.find(key);
    const bool had = old_value != before.end();
    const bool has = new_value != after.end();
    if (had && !has) {
      changes.push_back(std::string(key) + "=" + old_value->second + " removed");
    } else if (!had && has) {
      changes.push_back(std::string(key) + "=" + new_value->second + " added");
    } else if (had && has && old_value->second != new_value->second) {
      changes.push_back(std::string(key) + " " + old_value->second + " -> " + new_value->second);
    }
  }
  return joinStrings(changes, ", ");
}

// The pods that run a sidecar now and get none at their next rollout: every pod with a sidecar,
// except those that ask an injector themselves (own istio.io/rev or sidecar.istio.io/inject=true
// label), which the object webhooks still serve unless the namespace disables injection.
std::vector<PodSummary> podsLosingSidecar(const cluster::ClusterState& cluster, std::string_view namespace_name,
                                          const cluster::Labels& after, const Injectors& injectors) {
  const auto injection = after.find(istio::kInjectionNamespaceLabel);
  const bool disabled = injection != after.end() && injection->second == "disabled";
  std::vector<PodSummary> losing;
  for (PodSummary& pod : podsWithSidecarIn(cluster, namespace_name)) {
    if (!disabled && served(selectedRevision(pod.labels, false), injectors)) {
      continue;
    }
    losing.push_back(std::move(pod));
  }
  return losing;
}

std::vector<PeerAuthentication> peerAuthenticationsFor(const cluster::ClusterState& cluster,
                                                        std::string_view root_namespace,
                                                        std::string_view namespace_name) {
  std::vector<PeerAuthentication> policies;
  const cluster::ObjectVisitor keep = [&](const cluster::ObjectKey& key, const nlohmann::json& object) {
    policies.push_back(parsePeerAuthentication(key.namespace_name, key.name, object));
  };
  cluster.forEachObjectInNamespace(istio::PeerAuthentication.group, istio::PeerAuthentication.kind, root_namespace, keep);
  if (namespace_name != root_namespace) {
    cluster.forEachObjectInNamespace(istio::PeerAuthentication.group, istio::PeerAuthentication.kind, namespace_name,
                                     keep);
  }
  return policies;
}

bool strictAnywhere(const EffectiveMtls& effective) {
  if (effective.workload.strict()) {
    return true;
  }
  for (const auto& [port, decision] : effective.ports) {
    if (decision.strict()) {
      return true;
    }
  }
  return false;
}

// What depends on the sidecar of the pods losing it.
struct Dependents {
  std::vector<std::string> strict_pods;        // "namespace/name", the first of them
  std::size_t strict_count = 0;
  std::set<std::string> strict_from;           // the PeerAuthentications that make them STRICT
  std::set<std::string> authorization_policies;  // enforced policies that apply to them
  std::size_t policy_pods = 0;

  bool any() const { return strict_count > 0 || !authorization_policies.empty(); }
};

Dependents dependentsOf(const RuleContext& context, std::string_view namespace_name,
                        const std::vector<PodSummary>& losing, std::size_t max_named) {
  const std::string& root_namespace = context.mesh.root_namespace;
  const std::vector<PeerAuthentication> peer_authentications =
      peerAuthenticationsFor(context.cluster, root_namespace, namespace_name);
  std::vector<const PeerAuthentication*> pointers;
  for (const PeerAuthentication& policy : peer_authentications) {
    pointers.push_back(&policy);
  }
  const MtlsPolicies mtls(root_namespace, pointers);
  std::vector<AuthorizationPolicy> authorization = authorizationPoliciesIn(context.cluster, root_namespace);
  if (namespace_name != root_namespace) {
    for (AuthorizationPolicy& policy : authorizationPoliciesIn(context.cluster, namespace_name)) {
      authorization.push_back(std::move(policy));
    }
  }

  Dependents dependents;
  for (const PodSummary& pod : losing) {
    const EffectiveMtls effective = mtls.resolve(namespace_name, pod.labels);
    if (strictAnywhere(effective)) {
      ++dependents.strict_count;
      if (dependents.strict_pods.size() < max_named) {
        dependents.strict_pods.push_back(std::string(namespace_name) + "/" + pod.name);
      }
      const auto note_source = [&](const ModeDecision& decision) {
        if (decision.decided_by != nullptr && decision.strict()) {
          dependents.strict_from.insert(decision.decided_by->namespace_name + "/" + decision.decided_by->name);
        }
      };
      note_source(effective.workload);
      for (const auto& [port, decision] : effective.ports) {
        note_source(decision);
      }
    }
    bool selected = false;
    for (const AuthorizationPolicy& policy : authorization) {
      if (policy.enforced() && policy.appliesTo(root_namespace, namespace_name, pod.labels)) {
        dependents.authorization_policies.insert(policy.key());
        selected = true;
      }
    }
    dependents.policy_pods += selected ? 1 : 0;
  }
  return dependents;
}

std::string firstNames(const std::set<std::string>& keys) {
  std::vector<std::string> named;
  for (const std::string& key : keys) {
    if (named.size() == kMostPoliciesNamed) {
      break;
    }
    named.push_back(key);
  }
  return listNames(named, keys.size());
}

}  // namespace

const RuleMetadata& InjectionKeptUnderStrictRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "injection-kept-under-strict",
      .type = RuleType::Validating,
      .kinds = {cluster::kinds::Namespace},
      .operations = {"UPDATE"},
      .default_action = Action::Deny,
      .description =
          "Stops a Namespace update that ends Istio sidecar injection there while STRICT mTLS or "
          "AuthorizationPolicies cover its pods; warns when nothing there depends on the sidecar.",
      .codes = {messages::InjectionRemovedUnderStrict, messages::InjectionRemoved},
      .parameters =
          {
              {.name = kMaxPodsNamed,
               .type = ParamType::Integer,
               .default_value = "5",
               .description = "How many of the pods losing their sidecar a finding names (0 to 100).",
               .minimum = 0,
               .maximum = 100},
          },
      .inputs = {{cluster::kinds::Pod},
                 {istio::PeerAuthentication},
                 {istio::AuthorizationPolicy, false},
                 {MutatingWebhookConfiguration, false},
                 {cluster::kinds::Namespace, false}},
      .reads = {{cluster::kinds::Namespace, {"/metadata/labels"}},
                {istio::PeerAuthentication,
                 {"/metadata/creationTimestamp", "/spec/selector", "/spec/mtls", "/spec/portLevelMtls"}}},
      .indexes = {&podsWithSidecarIndex(), &authorizationPoliciesIndex(), &istioInjectorsIndex()},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

Result<std::shared_ptr<const RuleConfig>> InjectionKeptUnderStrictRule::configure(const RuleSettings& settings) const {
  auto config = std::make_shared<InjectionConfig>();
  config->pods_named = static_cast<std::size_t>(settings.integer(kMaxPodsNamed));
  return std::shared_ptr<const RuleConfig>(std::move(config));
}

void InjectionKeptUnderStrictRule::evaluate(const RuleContext& context, Report& report) const {
  const cluster::Labels before = labelsAt(objectMember(&context.old_object, "metadata"));
  const cluster::Labels after = labelsAt(objectMember(&context.object, "metadata"));
  const std::optional<std::string> selected_before = selectedRevision(before, true);
  const std::optional<std::string> selected_after = selectedRevision(after, true);
  if (!selected_before || selected_before == selected_after) {
    return;
  }
  if (!context.inputsAvailable(report)) {
    return;
  }
  const Injectors injectors = istioInjectors(context.cluster);
  if (!served(selected_before, injectors) || served(selected_after, injectors)) {
    return;
  }
  const std::string namespace_name =
      std::string(stringMember(objectMember(&context.object, "metadata"), "name").value_or(context.request.name));
  if (context.mesh.isIgnoredNamespace(namespace_name)) {
    return;
  }
  const std::vector<PodSummary> losing = podsLosingSidecar(context.cluster, namespace_name, after, injectors);
  if (losing.empty()) {
    return;
  }
  const std::size_t max_named = context.config<InjectionConfig>().pods_named;
  std::vector<std::string> losing_names;
  for (std::size_t i = 0; i < losing.size() && i < max_named; ++i) {
    losing_names.push_back(namespace_name + "/" + losing[i].name);
  }
  const std::string subject = "Namespace " + namespace_name + ": this update (" + describeLabelChange(before, after) +
                              ") ends sidecar injection for " + std::to_string(losing.size()) +
                              (losing.size() == 1 ? " pod that runs" : " pods that run") + " an Istio sidecar now (" +
                              listNames(losing_names, losing.size()) + "): their next rollout creates them without one";
  const std::string how =
      "Keep the namespace injected until its workloads leave the mesh on purpose: first exclude them (a "
      "PERMISSIVE PeerAuthentication for the namespace, AuthorizationPolicies that do not rely on their sidecar), "
      "or move the namespace to another revision that has an injector (istio.io/rev=REVISION).";
  const Dependents dependents = dependentsOf(context, namespace_name, losing, max_named);
  if (!dependents.any()) {
    report.finding(messages::InjectionRemoved,
                   subject + ". Nothing there is STRICT or authorised by AuthorizationPolicy, so they will keep "
                             "working, outside the mesh (no mTLS, telemetry or traffic policy).",
                   Action::Warn);
    return;
  }
  std::vector<std::string> reasons;
  if (dependents.strict_count > 0) {
    reasons.push_back("STRICT mTLS covers " + std::to_string(dependents.strict_count) + " of them (" +
                      listNames(dependents.strict_pods, dependents.strict_count) +
                      (dependents.strict_from.empty() ? "" : "; PeerAuthentication " + firstNames(dependents.strict_from)) +
                      "), and a pod without a sidecar can neither accept nor present mutual TLS, so STRICT callers and "
                      "workloads cannot reach it and it cannot reach them");
  }
  if (!dependents.authorization_policies.empty()) {
    reasons.push_back("AuthorizationPolicy " + firstNames(dependents.authorization_policies) + " applies to " +
                      std::to_string(dependents.policy_pods) + " of them, and without a sidecar nothing enforces it");
  }
  report.finding(messages::InjectionRemovedUnderStrict, subject + ". " + joinStrings(reasons, "; ") + ". " + how);
}

}  // namespace meshward::policies
