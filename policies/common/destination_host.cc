#include "policies/common/destination_host.h"

#include <algorithm>
#include <cctype>

namespace meshward::policies {

std::string resolveServiceHost(std::string_view host, std::string_view namespace_name) {
  std::string resolved(host);
  std::transform(resolved.begin(), resolved.end(), resolved.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (resolved.empty() || resolved.find('.') != std::string::npos || resolved.front() == '*') {
    return resolved;
  }
  resolved.append(".").append(namespace_name).append(".svc.").append(kClusterDomain);
  return resolved;
}

}  // namespace meshward::policies
