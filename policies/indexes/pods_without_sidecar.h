#pragma once
// Indexes "pods without an Istio sidecar" and "pods with an Istio sidecar": which pods of each
// namespace run without one, or with one (with their labels and service account), kept up to date
// pod by pod so that "pods without a sidecar in namespace X" costs O(log n) however large the
// cluster grows. A live cluster feeds them from Pods as they run; manifests from Pods and the pod
// templates of workloads, judged as they will run once injected.

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

// A pod as the indexes record it. In manifests, a workload's pod template stands for the pods it
// creates.
struct PodSummary {
  std::string name;        // the pod's name; a pod template's is "<kind>/<name>", e.g. "deployment/legacy-reporting"
  cluster::Labels labels;  // the pod's (or the template's) labels
  std::string service_account = "default";  // spec.serviceAccountName
  // The control-plane revision whose sidecar a pod with an Istio sidecar runs, as the injector wrote
  // it (annotation istio.io/rev, else the label older injectors set); "" when unknown.
  std::string proxy_revision;

  bool operator==(const PodSummary&) const = default;
};

// A pod that runs without an Istio sidecar and is not enrolled in ambient mode by its own
// istio.io/dataplane-mode=ambient label (namespace-level enrolment is for the caller to judge
// with findNamespace).
using PodWithoutSidecar = PodSummary;

// Whether a pod that serves traffic runs an Istio sidecar; nullopt for a finished pod, a kind
// without a pod template, and a pod without a sidecar that its own label enrols in ambient mode.
struct PodAsItRuns {
  PodSummary pod;
  bool sidecar = false;
};
std::optional<PodAsItRuns> livePodAsItRuns(std::string_view name, const nlohmann::json& pod);
std::optional<PodAsItRuns> manifestPodAsItRuns(std::string_view kind, std::string_view name,
                                               const nlohmann::json& object,
                                               const std::optional<cluster::NamespaceInfo>& namespace_info);

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

enum class SidecarState { Without, With };

// The pods of one sidecar state, by namespace.
class PodSidecarIndex final : public cluster::ObjectIndex {
 public:
  // `manifests` is the state being built from manifests, nullptr for a live cluster.
  explicit PodSidecarIndex(const cluster::ClusterState* manifests = nullptr, SidecarState kept = SidecarState::Without)
      : manifests_(manifests), kept_(kept) {}

  void update(const cluster::ObjectKey& key, const nlohmann::json& object) override;
  void remove(const cluster::ObjectKey& key) override;

  // Records a pod without a sidecar, replacing what was recorded under its name.
  void record(std::string_view namespace_name, PodWithoutSidecar pod);
  void forget(std::string_view namespace_name, std::string_view name);

  PodsWithoutSidecar query(std::string_view namespace_name, std::size_t max_names) const;
  // The namespaces holding at least one of the pods, in name order.
  std::vector<std::string> namespaces() const;
  // The pods of a namespace, in name order (a copy).
  std::vector<PodSummary> pods(std::string_view namespace_name) const;
  // How many pods of each namespace run (or ask for) each Istio revision: the pod's proxy_revision,
  // else what its own labels select ("" when they select nothing and the namespace decides).
  std::map<std::string, std::map<std::string, std::size_t>, std::less<>> revisionCounts() const;

 private:
  using PodsByName = std::map<std::string, PodSummary, std::less<>>;
  const cluster::ClusterState* manifests_;
  SidecarState kept_;
  std::map<std::string, PodsByName, std::less<>> by_namespace_;
};

class PodSidecarIndexSpec final : public cluster::IndexSpec {
 public:
  explicit PodSidecarIndexSpec(SidecarState kept) : kept_(kept) {}

  std::string_view name() const override {
    return kept_ == SidecarState::Without ? "pods-without-sidecar" : "pods-with-sidecar";
  }
  std::vector<cluster::IndexFeed> feeds(cluster::ObjectSource source) const override;
  std::unique_ptr<cluster::ObjectIndex> create(cluster::ObjectSource source,
                                               const cluster::ClusterState* manifests) const override;

 private:
  SidecarState kept_;
};

const PodSidecarIndexSpec& podsWithoutSidecarIndex();
const PodSidecarIndexSpec& podsWithSidecarIndex();

// The queries, answered from the state's index (nothing when it keeps none).
PodsWithoutSidecar podsWithoutSidecar(const cluster::ClusterState& cluster, std::string_view namespace_name,
                                      std::size_t max_names);
std::vector<std::string> namespacesWithPodsWithoutSidecar(const cluster::ClusterState& cluster);
std::vector<PodWithoutSidecar> podsWithoutSidecarIn(const cluster::ClusterState& cluster,
                                                    std::string_view namespace_name);
// The pods that run an Istio sidecar: their namespaces, and the pods of one of them.
std::vector<std::string> namespacesWithPodsWithSidecar(const cluster::ClusterState& cluster);
std::vector<PodSummary> podsWithSidecarIn(const cluster::ClusterState& cluster, std::string_view namespace_name);
// PodSidecarIndex::revisionCounts of the pods with a sidecar.
std::map<std::string, std::map<std::string, std::size_t>, std::less<>> podsWithSidecarByRevision(
    const cluster::ClusterState& cluster);

}  // namespace meshward::policies
