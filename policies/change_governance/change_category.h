#pragma once
// The high-risk mesh changes that change-governance controls, each in one category with its own
// owners: any EnvoyFilter; mesh-wide changes (a PeerAuthentication without selector, an
// AuthorizationPolicy, Sidecar or DestinationRule in the root namespace, the mesh config ConfigMap
// istio / istio-REV there); namespace-wide PeerAuthentications; the injection and revision labels
// of Namespaces.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policies/field_reads.h"
#include "policies/rule.h"

namespace meshward::policies {

enum class ChangeCategory { EnvoyFilter, MeshWide, NamespaceWide, Injection };

// "envoy-filter", "mesh-wide", "namespace-wide", "injection": the names policy files and messages use.
std::string_view categoryName(ChangeCategory category);

struct HighRiskChange {
  ChangeCategory category;
  std::string what;  // "mesh-wide PeerAuthentication", "the mesh config ConfigMap", ...
};

// The category of the change the request makes; nullopt when it is not high-risk. An UPDATE counts
// only when it changes what makes the object high-risk (its spec, the mesh config, the injection
// labels); a Namespace counts when it is created with injection labels or they change.
std::optional<HighRiskChange> classifyChange(const RuleContext& context);

// The kinds classifyChange judges, and what it reads of each.
const std::vector<cluster::KindInfo>& governedKinds();
const std::vector<FieldReads>& governedReads();

}  // namespace meshward::policies
