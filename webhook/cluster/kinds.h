#pragma once
// A Kubernetes kind as meshward reads it: its group, kind, resource, whether it is namespaced,
// and where the API server serves it. The core and workload kinds are listed here; mesh CRD
// kinds are declared with the mesh profiles in policies/meshes/.

#include <string_view>

namespace meshward::cluster {

struct KindInfo {
  std::string_view group;         // "" for the core group
  std::string_view kind;          // "Pod"; also the {kind} label of the cluster-state metrics
  std::string_view resource;      // "pods": what RBAC and webhook configurations name
  std::string_view core_version;  // "v1" for built-in kinds; "" when discovered (a CRD's preferred version)
  bool namespaced = true;
  // Kept MessagePack-encoded in the live cache (a tenth of the memory, a decode per read): every
  // kind but Namespaces, which every admission request reads and clusters have few of.
  bool packed = true;

  bool discovered() const { return core_version.empty(); }
  bool sameKind(std::string_view other_group, std::string_view other_kind) const {
    return group == other_group && kind == other_kind;
  }
  bool sameKind(const KindInfo& other) const { return sameKind(other.group, other.kind); }
};

namespace kinds {
inline constexpr KindInfo Namespace{"", "Namespace", "namespaces", "v1", false, false};
inline constexpr KindInfo Pod{"", "Pod", "pods", "v1"};
inline constexpr KindInfo Service{"", "Service", "services", "v1"};
inline constexpr KindInfo Deployment{"apps", "Deployment", "deployments", "v1"};
inline constexpr KindInfo StatefulSet{"apps", "StatefulSet", "statefulsets", "v1"};
inline constexpr KindInfo DaemonSet{"apps", "DaemonSet", "daemonsets", "v1"};
inline constexpr KindInfo ReplicaSet{"apps", "ReplicaSet", "replicasets", "v1"};
inline constexpr KindInfo Job{"batch", "Job", "jobs", "v1"};
inline constexpr KindInfo CronJob{"batch", "CronJob", "cronjobs", "v1"};
}  // namespace kinds

}  // namespace meshward::cluster
