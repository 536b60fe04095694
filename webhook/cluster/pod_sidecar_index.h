#pragma once
// Which pods of each namespace run without a mesh sidecar, kept up to date pod by pod so that
// "pods without a sidecar in namespace X" costs O(log n) however large the cluster grows.

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/cluster/cluster_state.h"

namespace meshward::cluster {

// True when a pod that exists runs without a sidecar: it has no istio-proxy or linkerd-proxy
// container (regular, or a native sidecar init container) and has not finished (phase
// Succeeded or Failed). What the pod asks of an injector no longer matters once it exists.
bool podRunsWithoutSidecar(const nlohmann::json& pod);

// True for a pod whose phase is Succeeded or Failed: it serves no traffic any more.
bool podFinished(const nlohmann::json& pod);

// Not thread-safe: the owner serialises writers against readers.
class PodSidecarIndex {
 public:
  // Records whether the pod runs without a sidecar, replacing what was recorded for it.
  void update(std::string_view namespace_name, std::string_view name, bool without_sidecar);
  void remove(std::string_view namespace_name, std::string_view name);
  void clear() { by_namespace_.clear(); }

  PodsWithoutSidecar query(std::string_view namespace_name, std::size_t max_names) const;

 private:
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> by_namespace_;
};

}  // namespace meshward::cluster
