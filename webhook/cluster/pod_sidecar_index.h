#pragma once
// Which pods of each namespace run without an Istio sidecar (with their labels), kept up to date
// pod by pod so that "pods without a sidecar in namespace X" costs O(log n) however large the
// cluster grows.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"

namespace meshward::cluster {

// The label that enrols a pod or a namespace in ambient mode ("ambient") or opts a pod out ("none").
inline constexpr std::string_view kDataplaneModeLabel = "istio.io/dataplane-mode";
inline constexpr std::string_view kAmbientDataplaneMode = "ambient";

// True for a pod whose phase is Succeeded or Failed: it serves no traffic any more.
bool podFinished(const nlohmann::json& pod);

// An existing pod as the index records it when it runs without an Istio sidecar: no istio-proxy
// container (regular, or a native sidecar init container), not finished, and not labelled
// istio.io/dataplane-mode=ambient. nullopt otherwise. What the pod asks of an injector no longer
// matters once it exists.
std::optional<PodWithoutSidecar> runningPodWithoutSidecar(std::string_view name, const nlohmann::json& pod);

// A Pod manifest, or the pod template of a workload manifest (Deployment, StatefulSet, DaemonSet,
// ReplicaSet, Job, CronJob), judged as it will run once injected: without an Istio sidecar when
// the injector will not add one (policies/common/sidecar_injection.h; never to a hostNetwork
// pod), it has not finished, and it does not enrol itself in ambient mode. A template is named
// "<lowercase kind>/<name>". nullopt for kinds without a pod template.
std::optional<PodWithoutSidecar> manifestPodWithoutSidecar(std::string_view kind, std::string_view name,
                                                           const nlohmann::json& object,
                                                           const std::optional<NamespaceInfo>& namespace_info);

// Not thread-safe: the owner serialises writers against readers.
class PodSidecarIndex {
 public:
  // Records a pod without a sidecar, replacing what was recorded under its name.
  void update(std::string_view namespace_name, PodWithoutSidecar pod);
  void remove(std::string_view namespace_name, std::string_view name);
  void clear() { by_namespace_.clear(); }

  PodsWithoutSidecar query(std::string_view namespace_name, std::size_t max_names) const;
  // The namespaces holding at least one pod without a sidecar, in name order.
  std::vector<std::string> namespaces() const;
  // Each pod without a sidecar of a namespace, in name order.
  void forEach(std::string_view namespace_name, const PodWithoutSidecarVisitor& visit) const;

 private:
  using PodsByName = std::map<std::string, PodWithoutSidecar, std::less<>>;
  std::map<std::string, PodsByName, std::less<>> by_namespace_;
};

}  // namespace meshward::cluster
