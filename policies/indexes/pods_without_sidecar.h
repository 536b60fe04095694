#pragma once
// Index "pods without an Istio sidecar": which pods of each namespace run without one (with their
// labels), kept up to date pod by pod so that "pods without a sidecar in namespace X" costs
// O(log n) however large the cluster grows. A live cluster feeds it from Pods as they run;
// manifests from Pods and the pod templates of workloads, judged as they will run once injected.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/index.h"

namespace meshward::policies {

// A pod that runs without an Istio sidecar and is not enrolled in ambient mode by its own
// istio.io/dataplane-mode=ambient label (namespace-level enrolment is for the caller to judge
// with findNamespace). In manifests, a workload's pod template stands for the pods it creates.
struct PodWithoutSidecar {
  std::string name;        // the pod's name; a pod template's is "<kind>/<name>", e.g. "deployment/legacy-reporting"
  cluster::Labels labels;  // the pod's (or the template's) labels

  bool operator==(const PodWithoutSidecar&) const = default;
};

struct PodsWithoutSidecar {
  std::size_t count = 0;           // every such pod in the namespace
  std::vector<std::string> names;  // the first of them in name order, at most as many as asked for
};

// True for a pod whose phase is Succeeded or Failed: it serves no traffic any more.
bool podFinished(const nlohmann::json& pod);

// An existing pod as the index records it when it runs without an Istio sidecar: no istio-proxy
// container (regular, or a native sidecar init container), not finished, and not labelled
// istio.io/dataplane-mode=ambient. nullopt otherwise. What the pod asks of an injector no longer
// matters once it exists.
std::optional<PodWithoutSidecar> runningPodWithoutSidecar(std::string_view name, const nlohmann::json& pod);

// A Pod manifest, or the pod template of a workload manifest (Deployment, StatefulSet, DaemonSet,
// ReplicaSet, Job, CronJob), judged as it will run once injected: without an Istio sidecar when
// the injector will not add one (istio::willRunProxy; never to a hostNetwork pod), it has not
// finished, and it does not enrol itself in ambient mode. A template is named
// "<lowercase kind>/<name>". nullopt for kinds without a pod template.
std::optional<PodWithoutSidecar> manifestPodWithoutSidecar(std::string_view kind, std::string_view name,
                                                           const nlohmann::json& object,
                                                           const std::optional<cluster::NamespaceInfo>& namespace_info);

class PodSidecarIndex final : public cluster::ObjectIndex {
 public:
  // `manifests` is the state being built from manifests, nullptr for a live cluster.
  explicit PodSidecarIndex(const cluster::ClusterState* manifests = nullptr) : manifests_(manifests) {}

  void update(const cluster::ObjectKey& key, const nlohmann::json& object) override;
  void remove(const cluster::ObjectKey& key) override;

  // Records a pod without a sidecar, replacing what was recorded under its name.
  void record(std::string_view namespace_name, PodWithoutSidecar pod);
  void forget(std::string_view namespace_name, std::string_view name);

  PodsWithoutSidecar query(std::string_view namespace_name, std::size_t max_names) const;
  // The namespaces holding at least one pod without a sidecar, in name order.
  std::vector<std::string> namespaces() const;
  // The pods without a sidecar of a namespace, in name order (a copy).
  std::vector<PodWithoutSidecar> pods(std::string_view namespace_name) const;

 private:
  using PodsByName = std::map<std::string, PodWithoutSidecar, std::less<>>;
  const cluster::ClusterState* manifests_;
  std::map<std::string, PodsByName, std::less<>> by_namespace_;
};

class PodsWithoutSidecarIndexSpec final : public cluster::IndexSpec {
 public:
  std::string_view name() const override { return "pods-without-sidecar"; }
  std::vector<cluster::IndexFeed> feeds(cluster::ObjectSource source) const override;
  std::unique_ptr<cluster::ObjectIndex> create(cluster::ObjectSource source,
                                               const cluster::ClusterState* manifests) const override;
};

const PodsWithoutSidecarIndexSpec& podsWithoutSidecarIndex();

// The queries, answered from the state's index (nothing when it keeps none).
PodsWithoutSidecar podsWithoutSidecar(const cluster::ClusterState& cluster, std::string_view namespace_name,
                                      std::size_t max_names);
std::vector<std::string> namespacesWithPodsWithoutSidecar(const cluster::ClusterState& cluster);
std::vector<PodWithoutSidecar> podsWithoutSidecarIn(const cluster::ClusterState& cluster,
                                                    std::string_view namespace_name);

}  // namespace meshward::policies
