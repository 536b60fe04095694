#include "policies/indexes/pods_without_sidecar.h"

#include "policies/common/workload.h"
#include "policies/indexes/istio_injectors.h"
#include "policies/meshes/istio.h"
#include "webhook/cluster/kinds.h"
#include "webhook/common/ascii.h"
#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

bool enrolsItselfInAmbient(const cluster::Labels& labels) {
  const auto mode = labels.find(istio::kDataplaneModeLabel);
  return mode != labels.end() && mode->second == istio::kAmbientDataplaneMode;
}

std::optional<PodAsItRuns> asItRuns(const PodTemplate& pod, std::string name, bool sidecar) {
  PodAsItRuns runs{PodSummary{std::move(name), labelsAt(pod.metadata), "default", ""}, sidecar};
  if (!sidecar && enrolsItselfInAmbient(runs.pod.labels)) {
    return std::nullopt;
  }
  const std::string_view account = stringMember(pod.spec, "serviceAccountName").value_or("");
  if (!account.empty()) {
    runs.pod.service_account = std::string(account);
  }
  if (sidecar) {
    const std::optional<std::string_view> revision = pod.annotation(istio::kRevisionLabel);
    const auto label = runs.pod.labels.find(istio::kRevisionLabel);
    if (revision) {
      runs.pod.proxy_revision = std::string(*revision);
    } else if (label != runs.pod.labels.end()) {
      runs.pod.proxy_revision = label->second;
    }
  }
  return runs;
}

std::optional<PodWithoutSidecar> withoutSidecar(std::optional<PodAsItRuns> runs) {
  if (!runs || runs->sidecar) {
    return std::nullopt;
  }
  return std::move(runs->pod);
}

bool hasIstioProxy(const PodTemplate& pod) {
  return findLongRunningContainer(pod, istio::kProxyContainer).has_value();
}

bool usesHostNetwork(const PodTemplate& pod) {
  const nlohmann::json* host_network = member(pod.spec, "hostNetwork");
  return host_network != nullptr && host_network->is_boolean() && host_network->get<bool>();
}

}  // namespace

bool podFinished(const nlohmann::json& pod) {
  const std::string_view phase = stringMember(objectMember(&pod, "status"), "phase").value_or("");
  return phase == "Succeeded" || phase == "Failed";
}

std::optional<PodAsItRuns> livePodAsItRuns(std::string_view name, const nlohmann::json& pod) {
  const std::optional<PodTemplate> pod_view = findPodTemplate("Pod", pod);
  if (!pod_view || podFinished(pod)) {
    return std::nullopt;
  }
  return asItRuns(*pod_view, std::string(name), hasIstioProxy(*pod_view));
}

std::optional<PodAsItRuns> manifestPodAsItRuns(std::string_view kind, std::string_view name,
                                               const nlohmann::json& object,
                                               const std::optional<cluster::NamespaceInfo>& namespace_info) {
  const std::optional<PodTemplate> pod_view = findPodTemplate(kind, object);
  if (!pod_view || (pod_view->isPod() && podFinished(object))) {
    return std::nullopt;
  }
  const bool sidecar =
      hasIstioProxy(*pod_view) || (!usesHostNetwork(*pod_view) && istio::willRunProxy(*pod_view, namespace_info));
  return asItRuns(*pod_view, pod_view->isPod() ? std::string(name) : asciiLowercase(kind) + "/" + std::string(name),
                  sidecar);
}

std::optional<PodWithoutSidecar> runningPodWithoutSidecar(std::string_view name, const nlohmann::json& pod) {
  return withoutSidecar(livePodAsItRuns(name, pod));
}

std::optional<PodWithoutSidecar> manifestPodWithoutSidecar(std::string_view kind, std::string_view name,
                                                           const nlohmann::json& object,
                                                           const std::optional<cluster::NamespaceInfo>& namespace_info) {
  return withoutSidecar(manifestPodAsItRuns(kind, name, object, namespace_info));
}

void PodSidecarIndex::update(const cluster::ObjectKey& key, const nlohmann::json& object) {
  std::optional<PodAsItRuns> runs =
      manifests_ == nullptr
          ? livePodAsItRuns(key.name, object)
          : manifestPodAsItRuns(key.kind, key.name, object, manifests_->findNamespace(key.namespace_name));
  if (runs && runs->sidecar == (kept_ == SidecarState::With)) {
    record(key.namespace_name, std::move(runs->pod));
  } else if (manifests_ == nullptr) {
    forget(key.namespace_name, key.name);
  }
}

void PodSidecarIndex::remove(const cluster::ObjectKey& key) { forget(key.namespace_name, key.name); }

void PodSidecarIndex::record(std::string_view namespace_name, PodWithoutSidecar pod) {
  auto pods = by_namespace_.find(namespace_name);
  if (pods == by_namespace_.end()) {
    pods = by_namespace_.emplace(std::string(namespace_name), PodsByName()).first;
  }
  std::string name = pod.name;
  pods->second.insert_or_assign(std::move(name), std::move(pod));
}

void PodSidecarIndex::forget(std::string_view namespace_name, std::string_view name) {
  const auto pods = by_namespace_.find(namespace_name);
  if (pods == by_namespace_.end()) {
    return;
  }
  const auto found = pods->second.find(name);
  if (found != pods->second.end()) {
    pods->second.erase(found);
  }
  if (pods->second.empty()) {
    by_namespace_.erase(pods);
  }
}

PodsWithoutSidecar PodSidecarIndex::query(std::string_view namespace_name, std::size_t max_names) const {
  PodsWithoutSidecar result;
  const auto pods = by_namespace_.find(namespace_name);
  if (pods == by_namespace_.end()) {
    return result;
  }
  result.count = pods->second.size();
  for (auto pod = pods->second.begin(); pod != pods->second.end() && result.names.size() < max_names; ++pod) {
    result.names.push_back(pod->first);
  }
  return result;
}

std::vector<std::string> PodSidecarIndex::namespaces() const {
  std::vector<std::string> names;
  names.reserve(by_namespace_.size());
  for (const auto& [namespace_name, pods] : by_namespace_) {
    names.push_back(namespace_name);
  }
  return names;
}

std::vector<PodWithoutSidecar> PodSidecarIndex::pods(std::string_view namespace_name) const {
  std::vector<PodWithoutSidecar> copies;
  const auto pods = by_namespace_.find(namespace_name);
  if (pods == by_namespace_.end()) {
    return copies;
  }
  copies.reserve(pods->second.size());
  for (const auto& [name, pod] : pods->second) {
    copies.push_back(pod);
  }
  return copies;
}

std::map<std::string, std::map<std::string, std::size_t>, std::less<>> PodSidecarIndex::revisionCounts() const {
  std::map<std::string, std::map<std::string, std::size_t>, std::less<>> counts;
  for (const auto& [namespace_name, pods] : by_namespace_) {
    std::map<std::string, std::size_t>& of_namespace = counts[namespace_name];
    for (const auto& [name, pod] : pods) {
      ++of_namespace[pod.proxy_revision.empty() ? selectedRevision(pod.labels, false).value_or("") : pod.proxy_revision];
    }
  }
  return counts;
}

std::vector<cluster::IndexFeed> PodSidecarIndexSpec::feeds(cluster::ObjectSource source) const {
  // What livePodAsItRuns and manifestPodAsItRuns read of a pod (template).
  static const std::vector<std::string_view> pod_reads = {
      "/metadata/labels", "/metadata/annotations/istio.io~1rev", "/status/phase", "/spec/containers/*/name", "/spec/initContainers/*/name",
      "/spec/initContainers/*/restartPolicy", "/spec/serviceAccountName"};
  static const std::vector<std::string_view> template_reads = {
      "/metadata/labels", "/metadata/annotations", "/spec/hostNetwork", "/status/phase",
      "/spec/containers/*/name", "/spec/initContainers/*/name", "/spec/initContainers/*/restartPolicy",
      "/spec/serviceAccountName"};
  if (source == cluster::ObjectSource::Live) {
    return {{cluster::kinds::Pod, pod_reads}};
  }
  // The template reads under where each kind keeps its pod template, spelled out once.
  static const std::vector<std::pair<cluster::KindInfo, std::vector<std::string>>> spelled = [] {
    std::vector<std::pair<cluster::KindInfo, std::vector<std::string>>> all;
    for (const cluster::KindInfo& kind : podWorkloadKinds()) {
      std::vector<std::string> reads;
      for (const std::string_view read : template_reads) {
        reads.push_back(std::string(podTemplatePointer(kind.kind).value_or("")) + std::string(read));
      }
      all.emplace_back(kind, std::move(reads));
    }
    return all;
  }();
  std::vector<cluster::IndexFeed> feeds;
  for (const auto& [kind, reads] : spelled) {
    feeds.push_back({kind, std::vector<std::string_view>(reads.begin(), reads.end())});
  }
  return feeds;
}

std::unique_ptr<cluster::ObjectIndex> PodSidecarIndexSpec::create(cluster::ObjectSource source,
                                                                 const cluster::ClusterState* manifests) const {
  return std::make_unique<PodSidecarIndex>(source == cluster::ObjectSource::Manifests ? manifests : nullptr, kept_);
}

const PodSidecarIndexSpec& podsWithoutSidecarIndex() {
  static const PodSidecarIndexSpec spec(SidecarState::Without);
  return spec;
}

const PodSidecarIndexSpec& podsWithSidecarIndex() {
  static const PodSidecarIndexSpec spec(SidecarState::With);
  return spec;
}

PodsWithoutSidecar podsWithoutSidecar(const cluster::ClusterState& cluster, std::string_view namespace_name,
                                      std::size_t max_names) {
  return cluster::queryIndex<PodSidecarIndex>(cluster, podsWithoutSidecarIndex(), [&](const PodSidecarIndex& index) {
    return index.query(namespace_name, max_names);
  });
}

std::vector<std::string> namespacesWithPodsWithoutSidecar(const cluster::ClusterState& cluster) {
  return cluster::queryIndex<PodSidecarIndex>(cluster, podsWithoutSidecarIndex(),
                                              [](const PodSidecarIndex& index) { return index.namespaces(); });
}

std::vector<PodWithoutSidecar> podsWithoutSidecarIn(const cluster::ClusterState& cluster,
                                                    std::string_view namespace_name) {
  return cluster::queryIndex<PodSidecarIndex>(
      cluster, podsWithoutSidecarIndex(), [&](const PodSidecarIndex& index) { return index.pods(namespace_name); });
}

std::vector<std::string> namespacesWithPodsWithSidecar(const cluster::ClusterState& cluster) {
  return cluster::queryIndex<PodSidecarIndex>(cluster, podsWithSidecarIndex(),
                                              [](const PodSidecarIndex& index) { return index.namespaces(); });
}

std::map<std::string, std::map<std::string, std::size_t>, std::less<>> podsWithSidecarByRevision(
    const cluster::ClusterState& cluster) {
  return cluster::queryIndex<PodSidecarIndex>(cluster, podsWithSidecarIndex(),
                                              [](const PodSidecarIndex& index) { return index.revisionCounts(); });
}

std::vector<PodSummary> podsWithSidecarIn(const cluster::ClusterState& cluster, std::string_view namespace_name) {
  return cluster::queryIndex<PodSidecarIndex>(
      cluster, podsWithSidecarIndex(), [&](const PodSidecarIndex& index) { return index.pods(namespace_name); });
}

}  // namespace meshward::policies
