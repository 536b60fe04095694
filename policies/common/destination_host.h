#pragma once
// How Istio reads the host of a DestinationRule (or a VirtualService destination): a short
// name such as "reviews" means the service of that name in the rule's own namespace,
// "reviews.<namespace>.svc.cluster.local"; anything with a dot, and wildcards, stand as written.

#include <string>
#include <string_view>

namespace meshward::policies {

inline constexpr std::string_view kClusterDomain = "cluster.local";

// Lower-cased, since DNS names are case-insensitive.
std::string resolveServiceHost(std::string_view host, std::string_view namespace_name);

}  // namespace meshward::policies
