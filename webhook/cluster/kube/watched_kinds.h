#pragma once
// Where the API server serves a watched kind. Core kinds have a fixed version; CRD kinds are
// discovered at run time (v1, v1beta1 or v1alpha3, whichever the cluster prefers). Which kinds are
// watched is not decided here: it comes from ClusterRequirements, derived from the rules.

#include <string>
#include <string_view>

#include "webhook/cluster/kinds.h"

namespace meshward::cluster::kube {

using WatchedKind = KindInfo;

// "/api/v1/pods" or "/apis/networking.istio.io/v1/destinationrules": every namespace at once.
std::string collectionPath(const WatchedKind& kind, std::string_view version);

// "v1" or "networking.istio.io/v1".
std::string apiVersionOf(const WatchedKind& kind, std::string_view version);

}  // namespace meshward::cluster::kube
