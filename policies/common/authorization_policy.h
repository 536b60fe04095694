#pragma once
// An Istio AuthorizationPolicy as meshward judges it: which workloads it applies to, resolved as
// istiod resolves them (root namespace without selector: mesh-wide; no selector: namespace-wide;
// selector.matchLabels; targetRef(s) to a Gateway), and what its rules can admit or deny.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"

namespace meshward::policies {

enum class AuthorizationAction { Allow, Deny, Audit, Custom };

inline constexpr std::string_view kDryRunAnnotation = "istio.io/dry-run";
// The label Gateway API deployments give the pods of a Gateway, which a targetRef selects.
inline constexpr std::string_view kGatewayNameLabel = "gateway.networking.k8s.io/gateway-name";

struct AuthorizationPolicy {
  std::string namespace_name;
  std::string name;
  AuthorizationAction action = AuthorizationAction::Allow;
  bool dry_run = false;       // istio.io/dry-run: "true": evaluated and logged, never enforced
  cluster::Labels selector;   // spec.selector.matchLabels
  bool has_target_refs = false;               // spec.targetRef(s): the selector no longer applies
  std::vector<std::string> target_gateways;   // the targetRefs of kind Gateway
  std::size_t rules = 0;
  bool matches_every_request = false;    // a rule without conditions, or "*" in every field it sets
  bool admits_without_identity = false;  // a rule a caller without an mTLS identity can match
  // The sources (Istio match patterns) of the rules that need an mTLS identity.
  std::vector<std::string> principals;
  std::vector<std::string> source_namespaces;

  std::string key() const { return namespace_name + "/" + name; }
  // Enforced by the proxies: ALLOW and DENY, not in dry-run (CUSTOM and AUDIT are left alone).
  bool enforced() const {
    return !dry_run && (action == AuthorizationAction::Allow || action == AuthorizationAction::Deny);
  }
  bool allowsNothing() const { return action == AuthorizationAction::Allow && rules == 0; }
  bool deniesEverything() const { return action == AuthorizationAction::Deny && matches_every_request; }
  // An ALLOW policy every rule of which admits only callers with an mTLS identity.
  bool admitsOnlyIdentities() const {
    return action == AuthorizationAction::Allow && rules > 0 && !admits_without_identity;
  }
  // Whether it may apply to some workloads of a namespace and not others.
  bool selectsWorkloads() const { return has_target_refs || !selector.empty(); }
  bool appliesTo(std::string_view root_namespace, std::string_view pod_namespace, const cluster::Labels& pod_labels) const;
  // Whether it applies to every workload of `pod_namespace` (a policy that selectsWorkloads() never does).
  bool appliesToNamespace(std::string_view root_namespace, std::string_view pod_namespace) const;
};

// Reads the object leniently: fields of the wrong type read as absent, an unknown action as
// CUSTOM (left alone).
AuthorizationPolicy parseAuthorizationPolicy(std::string_view namespace_name, std::string_view name,
                                             const nlohmann::json& object);

// Istio's string match for principals and namespaces: exact, "*", "prefix*" or "*suffix".
bool matchesIstioPattern(std::string_view pattern, std::string_view value);

// What the ALLOW and DENY policies that apply to one workload let through.
struct WorkloadAccess {
  const AuthorizationPolicy* denies_everything = nullptr;  // a DENY policy matching every request
  bool has_allow = false;
  bool allow_admits_something = false;        // an ALLOW policy with rules applies
  bool allow_admits_without_identity = false;  // ... and one of its rules needs no identity
  const AuthorizationPolicy* allow_nothing = nullptr;  // an ALLOW policy with no rules that applies

  // The workload rejects every request.
  bool lockedOut() const { return denies_everything != nullptr || (has_allow && !allow_admits_something); }
  // Callers without a sidecar (no principal) can still reach it.
  bool admitsCallersWithoutIdentity() const {
    return !lockedOut() && (!has_allow || allow_admits_without_identity);
  }
  void add(const AuthorizationPolicy& policy);
};

}  // namespace meshward::policies
