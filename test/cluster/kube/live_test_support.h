#pragma once
// Shared by the live cluster-state tests: reflector settings that react in milliseconds instead
// of seconds, the API stand-in's objects, and bounded waits on a condition.

#include <chrono>

#include "test/server/server_test_support.h"
#include "test/support/fake_cluster_objects.h"
#include "test/support/fake_kube_apiserver.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/cluster/kube/live_cluster_state.h"

namespace meshward::cluster::kube::testing {

using meshward::server::testing::waitUntil;

// What the live cache follows for the registered rules.
inline const ClusterRequirements& requirements() {
  return admission::registeredRequirements(ObjectSource::Live);
}
inline std::size_t watchedKindCount() { return requirements().kinds.size(); }

inline LiveClusterStateOptions fastOptions() {
  LiveClusterStateOptions options;
  options.reflector.request_timeout = std::chrono::seconds(5);
  options.reflector.backoff = BackoffOptions{std::chrono::milliseconds(5), std::chrono::milliseconds(100)};
  options.reflector.absent_kind_recheck = std::chrono::milliseconds(50);
  options.client.connect_timeout = std::chrono::seconds(5);
  return options;
}

}  // namespace meshward::cluster::kube::testing
