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

using Labels = std::map<std::string, std::string, std::less<>>;

// A pod that runs without an Istio sidecar and is not enrolled in ambient mode by its own
// istio.io/dataplane-mode=ambient label (namespace-level enrolment is for the caller to judge
// with findNamespace). In manifests, a workload's pod template stands for the pods it creates.
struct PodWithoutSidecar {
  std::string name;  // the pod's name; a pod template's is "<kind>/<name>", e.g. "deployment/legacy-reporting"
  Labels labels;     // the pod's (or the template's) labels
};

using PodWithoutSidecarVisitor = std::function<void(const PodWithoutSidecar&)>;

struct DestinationRuleSubsets {
  std::string namespace_name;
  std::string name;
  std::string host;                    // spec.host as written
  std::vector<std::string> subsets;    // spec.subsets[].name, in order
  std::vector<std::string> export_to;  // spec.exportTo as written; empty means every namespace

  bool operator==(const DestinationRuleSubsets&) const = default;
};

// A VirtualService that sends traffic to one host (route or mirror destinations of its http, tcp
// and tls routes, hosts resolved from the VirtualService's namespace).
struct VirtualServiceRoute {
  std::string namespace_name;
  std::string name;
  std::vector<std::string> subsets;  // the distinct subsets it names for that host, sorted; empty if none

  bool operator==(const VirtualServiceRoute&) const = default;
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

  // Pods of a namespace that run without an Istio sidecar (PodWithoutSidecar; finished pods
  // excluded): the count and the first `max_names` names. A live cache judges the pod's
  // containers; manifests judge the pod, or a workload's pod template, as it will run once
  // injected (see pod_sidecar_index.h).
  virtual PodsWithoutSidecar podsWithoutSidecar(std::string_view namespace_name, std::size_t max_names) const;

  // The namespaces that hold at least one such pod, in name order.
  virtual std::vector<std::string> namespacesWithPodsWithoutSidecar() const;

  // Each such pod of a namespace, in name order. The visitor must not call back into the state.
  virtual void forEachPodWithoutSidecar(std::string_view namespace_name, const PodWithoutSidecarVisitor& visit) const;

  // The DestinationRules whose host is `fully_qualified_host` once short names are resolved the
  // way Istio resolves them (resolveServiceHost in destination_host.h), or a wildcard host that
  // matches it ("*.example.com", "*"), ordered by (namespace, name). Visibility (exportTo) is
  // for the caller to judge.
  virtual std::vector<DestinationRuleSubsets> destinationRulesForHost(std::string_view fully_qualified_host) const;

  // The VirtualServices with a destination whose resolved host is exactly `fully_qualified_host`,
  // ordered by (namespace, name). A wildcard ("*.example.com", "*", as a DestinationRule's host)
  // answers those with a destination host it matches, each with its subsets for all of them.
  virtual std::vector<VirtualServiceRoute> virtualServicesRoutingTo(std::string_view fully_qualified_host) const;

  // The VirtualServices whose spec.gateways names this Gateway ("name" from the Gateway's own
  // namespace, or "namespace/name"), ordered by (namespace, name).
  virtual std::vector<ObjectKey> virtualServicesBoundToGateway(std::string_view gateway_namespace,
                                                               std::string_view gateway_name) const;

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
