#pragma once
// The mTLS mode Istio gives a workload, resolved from PeerAuthentications the way istiod does:
// mesh-wide (root namespace, no selector), namespace-wide (no selector), workload-level
// (selector.matchLabels, with portLevelMtls); the narrowest scope wins, the oldest policy wins
// within a scope, and UNSET inherits (port -> workload -> namespace -> mesh -> PERMISSIVE).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"

namespace meshward::policies {

enum class MtlsMode { Unset, Disable, Permissive, Strict };

struct PeerAuthentication {
  std::string namespace_name;
  std::string name;
  std::string creation_timestamp;  // RFC 3339 as the API server writes it; "" when absent: newer than any
  bool being_created = false;      // the object of a CREATE: newer than every stored policy
  cluster::Labels selector;        // spec.selector.matchLabels; empty means namespace- or mesh-wide
  MtlsMode mode = MtlsMode::Unset;
  std::map<std::uint32_t, MtlsMode> port_modes;  // spec.portLevelMtls

  bool hasSelector() const { return !selector.empty(); }
  // Istio's precedence within a scope: the older creationTimestamp first, then the name.
  bool olderThan(const PeerAuthentication& other) const;
};

// Reads a PeerAuthentication object leniently: fields of the wrong type read as absent, an
// unknown mode as UNSET, a portLevelMtls key that is not a port number is skipped.
PeerAuthentication parsePeerAuthentication(std::string_view namespace_name, std::string_view name,
                                           const nlohmann::json& object);

struct ModeDecision {
  MtlsMode mode = MtlsMode::Permissive;
  const PeerAuthentication* decided_by = nullptr;  // nullptr: Istio's PERMISSIVE default

  bool strict() const { return mode == MtlsMode::Strict; }
};

struct EffectiveMtls {
  ModeDecision workload;                        // every port without a port-level mode
  std::map<std::uint32_t, ModeDecision> ports;  // the ports the deciding workload-level policy names

  ModeDecision forPort(std::uint32_t port) const;
};

// A set of PeerAuthentications sorted into Istio's scopes. It keeps pointers: the policies must
// outlive it. Workload-level policies in the root namespace are ignored, as istiod ignores them.
class MtlsPolicies {
 public:
  MtlsPolicies(std::string_view root_namespace, const std::vector<const PeerAuthentication*>& policies);

  // The mode of a namespace's workloads that no workload-level policy selects.
  ModeDecision namespaceDecision(std::string_view namespace_name) const;
  bool hasWorkloadPolicies(std::string_view namespace_name) const;
  EffectiveMtls resolve(std::string_view namespace_name, const cluster::Labels& pod_labels) const;
  // Whether any policy sets STRICT, for the whole workload or for a port.
  bool setsStrictAnywhere() const { return sets_strict_; }

 private:
  struct NamespacePolicies {
    const PeerAuthentication* namespace_wide = nullptr;
    std::vector<const PeerAuthentication*> workload_level;  // oldest first
  };

  std::string root_namespace_;
  const PeerAuthentication* mesh_wide_ = nullptr;
  std::map<std::string, NamespacePolicies, std::less<>> namespaces_;
  bool sets_strict_ = false;
};

}  // namespace meshward::policies
