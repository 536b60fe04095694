#include "policies/common/destination_host.h"

#include "webhook/common/ascii.h"

namespace meshward::policies {

std::string resolveServiceHost(std::string_view host, std::string_view namespace_name) {
  std::string resolved = asciiLowercase(host);
  if (resolved.empty() || resolved.find('.') != std::string::npos || resolved.front() == '*') {
    return resolved;
  }
  resolved.append(".").append(namespace_name).append(".svc.").append(kClusterDomain);
  return resolved;
}

}  // namespace meshward::policies
