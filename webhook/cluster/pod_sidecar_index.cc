#include "webhook/cluster/pod_sidecar_index.h"

#include <cctype>

#include "policies/common/json_fields.h"
#include "policies/common/sidecar_injection.h"
#include "policies/common/workload.h"

namespace meshward::cluster {
namespace {

Labels labelsOf(const policies::PodTemplate& pod) {
  Labels labels;
  const nlohmann::json* entries = policies::objectMember(pod.metadata, "labels");
  if (entries == nullptr) {
    return labels;
  }
  for (const auto& [key, value] : entries->items()) {
    if (value.is_string()) {
      labels.emplace(key, value.get<std::string>());
    }
  }
  return labels;
}

// The pod without a sidecar, unless its own label enrols it in ambient mode.
std::optional<PodWithoutSidecar> unlessAmbient(const policies::PodTemplate& pod, std::string name) {
  Labels labels = labelsOf(pod);
  const auto mode = labels.find(kDataplaneModeLabel);
  if (mode != labels.end() && mode->second == kAmbientDataplaneMode) {
    return std::nullopt;
  }
  return PodWithoutSidecar{std::move(name), std::move(labels)};
}

bool hasIstioProxy(const policies::PodTemplate& pod) {
  return policies::findLongRunningContainer(pod, policies::kIstioProxyContainer).has_value();
}

bool usesHostNetwork(const policies::PodTemplate& pod) {
  const nlohmann::json* host_network = policies::member(pod.spec, "hostNetwork");
  return host_network != nullptr && host_network->is_boolean() && host_network->get<bool>();
}

std::string lowercase(std::string_view text) {
  std::string lower;
  for (const char c : text) {
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return lower;
}

}  // namespace

bool podFinished(const nlohmann::json& pod) {
  const std::string_view phase = policies::stringMember(policies::objectMember(&pod, "status"), "phase").value_or("");
  return phase == "Succeeded" || phase == "Failed";
}

std::optional<PodWithoutSidecar> runningPodWithoutSidecar(std::string_view name, const nlohmann::json& pod) {
  const std::optional<policies::PodTemplate> pod_view = policies::findPodTemplate("Pod", pod);
  if (!pod_view || podFinished(pod) || hasIstioProxy(*pod_view)) {
    return std::nullopt;
  }
  return unlessAmbient(*pod_view, std::string(name));
}

std::optional<PodWithoutSidecar> manifestPodWithoutSidecar(std::string_view kind, std::string_view name,
                                                           const nlohmann::json& object,
                                                           const std::optional<NamespaceInfo>& namespace_info) {
  const std::optional<policies::PodTemplate> pod_view = policies::findPodTemplate(kind, object);
  if (!pod_view || (pod_view->isPod() && podFinished(object)) || hasIstioProxy(*pod_view)) {
    return std::nullopt;
  }
  if (!usesHostNetwork(*pod_view) && policies::willRunIstioSidecar(*pod_view, namespace_info)) {
    return std::nullopt;
  }
  return unlessAmbient(*pod_view, pod_view->isPod() ? std::string(name) : lowercase(kind) + "/" + std::string(name));
}

void PodSidecarIndex::update(std::string_view namespace_name, PodWithoutSidecar pod) {
  auto pods = by_namespace_.find(namespace_name);
  if (pods == by_namespace_.end()) {
    pods = by_namespace_.emplace(std::string(namespace_name), PodsByName()).first;
  }
  std::string name = pod.name;
  pods->second.insert_or_assign(std::move(name), std::move(pod));
}

void PodSidecarIndex::remove(std::string_view namespace_name, std::string_view name) {
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

void PodSidecarIndex::forEach(std::string_view namespace_name, const PodWithoutSidecarVisitor& visit) const {
  const auto pods = by_namespace_.find(namespace_name);
  if (pods == by_namespace_.end()) {
    return;
  }
  for (const auto& [name, pod] : pods->second) {
    visit(pod);
  }
}

}  // namespace meshward::cluster
