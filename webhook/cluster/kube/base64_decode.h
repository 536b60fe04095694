#pragma once
// Standard base64 (RFC 4648, with padding; whitespace ignored) for the *-data fields of a kubeconfig.

#include <optional>
#include <string>
#include <string_view>

namespace meshward::cluster::kube {

// nullopt when `text` is not valid base64.
std::optional<std::string> decodeBase64(std::string_view text);

}  // namespace meshward::cluster::kube
