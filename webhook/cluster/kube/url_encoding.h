#pragma once
// Percent-encoding of a query parameter value (RFC 3986 unreserved characters pass through),
// for continue tokens and resourceVersions put into API paths.

#include <string>
#include <string_view>

namespace meshward::cluster::kube {

std::string encodeQueryValue(std::string_view value);

}  // namespace meshward::cluster::kube
