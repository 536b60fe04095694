#include "webhook/cluster/pod_sidecar_index.h"

#include "policies/common/json_fields.h"
#include "policies/common/sidecar_injection.h"
#include "policies/common/workload.h"

namespace meshward::cluster {

bool podRunsWithoutSidecar(const nlohmann::json& pod) {
  const std::optional<policies::PodTemplate> pod_view = policies::findPodTemplate("Pod", pod);
  if (!pod_view) {
    return false;
  }
  return !podFinished(pod) && !policies::findLongRunningContainer(*pod_view, policies::kIstioProxyContainer) &&
         !policies::findLongRunningContainer(*pod_view, policies::kLinkerdProxyContainer);
}

bool podFinished(const nlohmann::json& pod) {
  const std::string_view phase = policies::stringMember(policies::objectMember(&pod, "status"), "phase").value_or("");
  return phase == "Succeeded" || phase == "Failed";
}

void PodSidecarIndex::update(std::string_view namespace_name, std::string_view name, bool without_sidecar) {
  if (!without_sidecar) {
    remove(namespace_name, name);
    return;
  }
  auto names = by_namespace_.find(namespace_name);
  if (names == by_namespace_.end()) {
    names = by_namespace_.emplace(std::string(namespace_name), std::set<std::string, std::less<>>()).first;
  }
  names->second.emplace(name);
}

void PodSidecarIndex::remove(std::string_view namespace_name, std::string_view name) {
  const auto names = by_namespace_.find(namespace_name);
  if (names == by_namespace_.end()) {
    return;
  }
  const auto found = names->second.find(name);
  if (found != names->second.end()) {
    names->second.erase(found);
  }
  if (names->second.empty()) {
    by_namespace_.erase(names);
  }
}

PodsWithoutSidecar PodSidecarIndex::query(std::string_view namespace_name, std::size_t max_names) const {
  PodsWithoutSidecar result;
  const auto names = by_namespace_.find(namespace_name);
  if (names == by_namespace_.end()) {
    return result;
  }
  result.count = names->second.size();
  for (auto name = names->second.begin(); name != names->second.end() && result.names.size() < max_names; ++name) {
    result.names.push_back(*name);
  }
  return result;
}

}  // namespace meshward::cluster
