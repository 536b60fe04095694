#pragma once
// ClusterState is the read-only view of the cluster that rules may consult. It is the same
// interface for a live cluster (list/watch cache) and for a folder of manifests (`meshward
// check`), so admission and CI can never disagree. Implementations must be safe to call
// from many request threads at once and answer from memory.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/object_key.h"

namespace meshward::cluster {

struct NamespaceInfo {
  std::string name;
  std::map<std::string, std::string, std::less<>> labels;
  std::map<std::string, std::string, std::less<>> annotations;
};

// Called once per object with its key and the object (for a live cluster: trimmed to the
// fields rules read). The object is only valid during the call.
using ObjectVisitor = std::function<void(const ObjectKey&, const nlohmann::json&)>;

struct PodsWithoutSidecar {
  std::size_t count = 0;           // every such pod in the namespace
  std::vector<std::string> names;  // the first of them in name order, at most as many as asked for
};

struct DestinationRuleSubsets {
  std::string namespace_name;
  std::string name;
  std::string host;                  // spec.host as written
  std::vector<std::string> subsets;  // spec.subsets[].name, in order

  bool operator==(const DestinationRuleSubsets&) const = default;
};

inline constexpr std::string_view kIstioNetworkingGroup = "networking.istio.io";
inline constexpr std::string_view kIstioSecurityGroup = "security.istio.io";

class ClusterState {
 public:
  virtual ~ClusterState() = default;

  // False when meshward has no source of cluster state at all; rules that need it then say
  // so in a warning instead of guessing.
  virtual bool available() const = 0;

  // True once the state is complete enough to answer (a live cache has finished its first list).
  virtual bool ready() const = 0;

  virtual std::optional<NamespaceInfo> findNamespace(std::string_view name) const = 0;

  // The lookups below answer in O(log n) (plus what they return); the defaults are those of a
  // state that knows nothing. `namespace_name` is "" for cluster-scoped kinds.

  // Whether the state follows this kind: when it does not, an absent object means "unknown",
  // not "there is none". A live cache follows the kinds it watches (a kind whose CRD is not
  // installed is followed, and empty); manifests stand for every kind.
  virtual bool tracksKind(std::string_view group, std::string_view kind) const;

  // A snapshot of one object, still valid after the live cache has moved on; nullptr when absent.
  virtual std::shared_ptr<const nlohmann::json> findObject(std::string_view group, std::string_view kind,
                                                           std::string_view namespace_name,
                                                           std::string_view name) const;

  // Every object of a kind, ordered by (namespace, name). The visitor must not call back into the state.
  virtual void forEachObject(std::string_view group, std::string_view kind, const ObjectVisitor& visit) const;

  // Every object of a kind in one namespace, ordered by name.
  virtual void forEachObjectInNamespace(std::string_view group, std::string_view kind, std::string_view namespace_name,
                                        const ObjectVisitor& visit) const;

  // Pods of a namespace that run without an Istio or Linkerd sidecar (finished pods excluded):
  // the count and the first `max_names` names. A live cache judges the pod's containers;
  // manifests judge the pod as it will run once injected (see pod_sidecar_index.h).
  virtual PodsWithoutSidecar podsWithoutSidecar(std::string_view namespace_name, std::size_t max_names) const;

  // The DestinationRules whose host is `fully_qualified_host` once short names are resolved the
  // way Istio resolves them (resolveServiceHost in destination_host.h), ordered by (namespace, name).
  virtual std::vector<DestinationRuleSubsets> destinationRulesForHost(std::string_view fully_qualified_host) const;

  // The Gateway a VirtualService names in spec.gateways: "namespace/name", or "name" meaning the
  // VirtualService's own namespace. nullptr for the reserved "mesh" and when absent.
  std::shared_ptr<const nlohmann::json> findGateway(std::string_view reference,
                                                    std::string_view virtual_service_namespace) const;
};

// The state when meshward has no source: knows nothing, says so.
class NoClusterState final : public ClusterState {
 public:
  bool available() const override { return false; }
  bool ready() const override { return true; }
  std::optional<NamespaceInfo> findNamespace(std::string_view) const override { return std::nullopt; }
};

}  // namespace meshward::cluster
