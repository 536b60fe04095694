#pragma once
// Reads a kubeconfig file (`meshward serve --kubeconfig FILE`) into connection settings, the
// way kubectl does for the parts meshward supports.

#include <string>
#include <string_view>

#include "webhook/cluster/kube/connection_config.h"
#include "webhook/common/result.h"

namespace meshward::cluster::kube {

// The current context (or a named one), its cluster's server, certificate-authority / -data and
// tls-server-name, and its user's token / tokenFile or client-certificate / client-key (file or
// -data). Relative paths are relative to the file. What would weaken or bypass verification
// (insecure-skip-tls-verify) or needs a plugin (exec, auth-provider) is refused, saying so.
// `context` "" means the file's current-context. Errors start with "kubeconfig FILE: ".
Result<ConnectionConfig> loadKubeconfig(const std::string& path, std::string_view context = "");

}  // namespace meshward::cluster::kube
