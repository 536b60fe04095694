#pragma once
// The kinds meshward's cache follows, with where the API server serves them. Core kinds have a
// fixed version; the Istio kinds are served by CRDs whose version is discovered at run time
// (v1, v1beta1 or v1alpha3, whichever the cluster prefers). This list is also the RBAC meshward
// needs: get, list and watch on each group/resource, nothing else.

#include <string>
#include <string_view>
#include <vector>

namespace meshward::cluster::kube {

struct WatchedKind {
  std::string_view group;         // "" for the core group
  std::string_view kind;          // "Pod"; also the {kind} label of the cluster-state metrics
  std::string_view resource;      // "pods"
  std::string_view core_version;  // "v1" for core kinds; "" when the version is discovered
  bool namespaced = true;
  // Kept MessagePack-encoded (a tenth of the memory, a decode per read): every kind but
  // Namespaces, which every admission request reads and clusters have few of.
  bool packed = true;

  bool discovered() const { return core_version.empty(); }
};

const std::vector<WatchedKind>& watchedKinds();

// "/api/v1/pods" or "/apis/networking.istio.io/v1/destinationrules": every namespace at once.
std::string collectionPath(const WatchedKind& kind, std::string_view version);

// "v1" or "networking.istio.io/v1".
std::string apiVersionOf(const WatchedKind& kind, std::string_view version);

}  // namespace meshward::cluster::kube
