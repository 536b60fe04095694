#pragma once
// What the cache keeps of an object from the API server: only the fields rules read, so a
// cluster of 50,000 pods fits in little memory.

#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/cluster/kube/watched_kinds.h"

namespace meshward::cluster::kube {

// Every kind keeps apiVersion, kind, name, namespace, creationTimestamp (which of two Istio
// policies is older decides which applies), labels, owner references and the mesh
// annotations (*istio.io/*, *linkerd.io/*, meshward.dev/*, argocd.argoproj.io/sync-wave, but not
// the large sidecar.istio.io/status); Pods keep hostNetwork, serviceAccountName, each container's
// name and resources (and an init container's restartPolicy) and status.phase; Services their
// type, selector, ports, clusterIP and externalName; the Istio kinds their whole spec.

// Whether an annotation is one the rules may read.
bool keepsAnnotation(std::string_view key);

// The trimmed object, with apiVersion and kind set (LIST items come without them).
nlohmann::json trimObject(const WatchedKind& kind, std::string_view api_version, nlohmann::json&& object);

}  // namespace meshward::cluster::kube
