#pragma once
// The API server as seen from inside a pod: KUBERNETES_SERVICE_HOST / _PORT, the service
// account's ca.crt and token under /var/run/secrets/kubernetes.io/serviceaccount/. The token
// is named as a file, so the client re-reads it when the kubelet rotates it (projected tokens).

#include <optional>
#include <string>

#include "webhook/cluster/kube/connection_config.h"
#include "webhook/common/result.h"

namespace meshward::cluster::kube {

inline constexpr const char* kServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

struct InClusterEnvironment {
  std::string service_host;  // KUBERNETES_SERVICE_HOST
  std::string service_port;  // KUBERNETES_SERVICE_PORT
  std::string account_directory = kServiceAccountDirectory;
};

// Read from the process environment.
InClusterEnvironment inClusterEnvironment();

// nullopt when not inside a cluster (no service host or port, or no token file); an error when
// inside one but the settings cannot be used (an unreadable ca.crt, an invalid port).
Result<std::optional<ConnectionConfig>> loadInClusterConfig(const InClusterEnvironment& environment);

}  // namespace meshward::cluster::kube
