#include "policies/strict_mtls/exposed_pods.h"

#include <cstdint>
#include <optional>
#include <string_view>

#include "webhook/common/json_fields.h"
#include "policies/indexes/pods_without_sidecar.h"
#include "policies/meshes/istio.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kAmbientOptOut = "none";

// Past this many namespaces to judge, one pass over the Namespaces costs less than a lookup each.
constexpr std::size_t kLookupsBeforeAPass = 32;

// Which namespaces are enrolled in ambient mode (istio.io/dataplane-mode=ambient).
class AmbientNamespaces {
 public:
  AmbientNamespaces(const cluster::ClusterState& cluster, std::size_t namespaces_to_judge) : cluster_(cluster) {
    if (namespaces_to_judge <= kLookupsBeforeAPass) {
      return;
    }
    read_all_ = true;
    cluster.forEachObject(cluster::kinds::Namespace.group, cluster::kinds::Namespace.kind, [this](const cluster::ObjectKey& key, const nlohmann::json& object) {
      const nlohmann::json* labels = objectMember(objectMember(&object, "metadata"), "labels");
      if (stringMember(labels, istio::kDataplaneModeLabel) == istio::kAmbientDataplaneMode) {
        enrolled_.insert(key.name);
      }
    });
  }

  bool enrolled(std::string_view namespace_name) const {
    if (read_all_) {
      return enrolled_.contains(namespace_name);
    }
    const std::optional<cluster::NamespaceInfo> info = cluster_.findNamespace(namespace_name);
    if (!info) {
      return false;
    }
    const auto mode = info->labels.find(istio::kDataplaneModeLabel);
    return mode != info->labels.end() && mode->second == istio::kAmbientDataplaneMode;
  }

 private:
  const cluster::ClusterState& cluster_;
  bool read_all_ = false;
  std::set<std::string, std::less<>> enrolled_;
};

bool optsOutOfAmbient(const PodWithoutSidecar& pod) {
  const auto mode = pod.labels.find(istio::kDataplaneModeLabel);
  return mode != pod.labels.end() && mode->second == kAmbientOptOut;
}

std::string describePorts(const std::vector<std::uint32_t>& ports) {
  std::string text = ports.size() == 1 ? " (port " : " (ports ";
  for (std::size_t i = 0; i < ports.size(); ++i) {
    text += (i == 0 ? "" : ", ") + std::to_string(ports[i]);
  }
  return text + ")";
}

// Adds pods to the result, naming the first `max_names` of them.
class Collector {
 public:
  Collector(ExposedPods& result, std::size_t max_names) : result_(result), max_names_(max_names) {}

  std::size_t namesWanted() const { return max_names_ - result_.names.size(); }

  void strictFrom(const ModeDecision& decision) {
    if (decision.decided_by != nullptr) {
      result_.strict_from.insert(decision.decided_by->namespace_name + "/" + decision.decided_by->name);
    }
  }

  void add(std::string_view namespace_name, std::string_view name, std::string_view detail = "") {
    ++result_.count;
    if (namesWanted() > 0) {
      result_.names.push_back(std::string(namespace_name) + "/" + std::string(name) + std::string(detail));
    }
  }

  void addAll(std::string_view namespace_name, const PodsWithoutSidecar& pods) {
    result_.count += pods.count;
    for (const std::string& name : pods.names) {
      if (namesWanted() > 0) {
        result_.names.push_back(std::string(namespace_name) + "/" + name);
      }
    }
  }

 private:
  ExposedPods& result_;
  std::size_t max_names_;
};

// One pod under workload-level policies: the whole pod, or only some of its ports.
void judgePod(const MtlsChange& change, std::string_view namespace_name, const PodWithoutSidecar& pod,
              Collector& collector) {
  const EffectiveMtls before = change.before.resolve(namespace_name, pod.labels);
  const EffectiveMtls after = change.after.resolve(namespace_name, pod.labels);
  if (newlyStrict(before.workload, after.workload, change)) {
    collector.strictFrom(after.workload);
    collector.add(namespace_name, pod.name);
    return;
  }
  std::set<std::uint32_t> named_ports;
  for (const auto& [port, decision] : before.ports) {
    named_ports.insert(port);
  }
  for (const auto& [port, decision] : after.ports) {
    named_ports.insert(port);
  }
  std::vector<std::uint32_t> exposed_ports;
  for (const std::uint32_t port : named_ports) {
    const ModeDecision port_after = after.forPort(port);
    if (newlyStrict(before.forPort(port), port_after, change)) {
      collector.strictFrom(port_after);
      exposed_ports.push_back(port);
    }
  }
  if (!exposed_ports.empty()) {
    collector.add(namespace_name, pod.name, describePorts(exposed_ports));
  }
}

void judgeNamespace(const cluster::ClusterState& cluster, const AmbientNamespaces& ambient_namespaces,
                    const MtlsChange& change, std::string_view namespace_name, Collector& collector) {
  const bool workload_level =
      change.before.hasWorkloadPolicies(namespace_name) || change.after.hasWorkloadPolicies(namespace_name);
  if (!workload_level) {
    const ModeDecision after = change.after.namespaceDecision(namespace_name);
    if (!newlyStrict(change.before.namespaceDecision(namespace_name), after, change)) {
      return;
    }
    std::size_t added = 0;
    if (!ambient_namespaces.enrolled(namespace_name)) {
      const PodsWithoutSidecar pods = podsWithoutSidecar(cluster, namespace_name, collector.namesWanted());
      collector.addAll(namespace_name, pods);
      added = pods.count;
    } else {
      for (const PodWithoutSidecar& pod : podsWithoutSidecarIn(cluster, namespace_name)) {
        if (optsOutOfAmbient(pod)) {
          collector.add(namespace_name, pod.name);
          ++added;
        }
      }
    }
    if (added > 0) {
      collector.strictFrom(after);
    }
    return;
  }
  const bool ambient = ambient_namespaces.enrolled(namespace_name);
  for (const PodWithoutSidecar& pod : podsWithoutSidecarIn(cluster, namespace_name)) {
    if (!ambient || optsOutOfAmbient(pod)) {
      judgePod(change, namespace_name, pod, collector);
    }
  }
}

}  // namespace

bool newlyStrict(const ModeDecision& before, const ModeDecision& after, const MtlsChange& change) {
  if (!after.strict()) {
    return false;
  }
  if (!before.strict()) {
    return true;
  }
  return after.decided_by == change.reviewed_after && before.decided_by != change.reviewed_before;
}

ExposedPods findExposedPods(const cluster::ClusterState& cluster, const MeshSettings& mesh, const MtlsChange& change,
                            const std::vector<std::string>& namespaces, std::size_t max_names) {
  ExposedPods result;
  if (!change.after.setsStrictAnywhere()) {
    return result;
  }
  Collector collector(result, max_names);
  const AmbientNamespaces ambient_namespaces(cluster, namespaces.size());
  for (const std::string& namespace_name : namespaces) {
    if (!mesh.isIgnoredNamespace(namespace_name)) {
      judgeNamespace(cluster, ambient_namespaces, change, namespace_name, collector);
    }
  }
  return result;
}

}  // namespace meshward::policies
