#include "webhook/cluster/kube/in_cluster_config.h"

#include <cstdlib>

#include "webhook/common/file_watcher.h"
#include "webhook/common/small_file.h"

namespace meshward::cluster::kube {
namespace {

std::string environmentValue(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

InClusterEnvironment inClusterEnvironment() {
  return InClusterEnvironment{environmentValue("KUBERNETES_SERVICE_HOST"), environmentValue("KUBERNETES_SERVICE_PORT"),
                              kServiceAccountDirectory};
}

Result<std::optional<ConnectionConfig>> loadInClusterConfig(const InClusterEnvironment& environment) {
  const std::string token_file = environment.account_directory + "/token";
  if (environment.service_host.empty() || environment.service_port.empty() ||
      !meshward::fingerprintOf(token_file).exists) {
    return std::optional<ConnectionConfig>();
  }
  const bool ipv6 = environment.service_host.find(':') != std::string::npos;
  const std::string url = "https://" + (ipv6 ? "[" + environment.service_host + "]" : environment.service_host) + ":" +
                          environment.service_port;
  Result<ApiServerAddress> address = parseServerUrl(url);
  if (!address) {
    return Error{"in-cluster configuration (KUBERNETES_SERVICE_HOST/_PORT): " + address.error()};
  }
  const std::string ca_file = environment.account_directory + "/ca.crt";
  Result<std::string> ca = meshward::readSmallFile(ca_file);
  if (!ca) {
    return Error{"in-cluster configuration: " + ca.error()};
  }
  ConnectionConfig connection;
  connection.server = std::move(*address);
  connection.ca_pem = std::move(*ca);
  connection.token_file = token_file;
  connection.description = "in-cluster service account (" + environment.account_directory + ")";
  return std::optional<ConnectionConfig>(std::move(connection));
}

}  // namespace meshward::cluster::kube
