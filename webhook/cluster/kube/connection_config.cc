#include "webhook/cluster/kube/connection_config.h"

#include <charconv>
#include <optional>

namespace meshward::cluster::kube {
namespace {

constexpr std::string_view kHttpsScheme = "https://";

}  // namespace

std::string ApiServerAddress::url() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return std::string(kHttpsScheme) + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + base_path;
}

Result<ApiServerAddress> parseServerUrl(std::string_view url) {
  const std::string quoted = "'" + std::string(url) + "'";
  if (url.substr(0, kHttpsScheme.size()) != kHttpsScheme) {
    return Error{"API server URL " + quoted + " must start with https://"};
  }
  std::string_view rest = url.substr(kHttpsScheme.size());
  const std::size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos || rest.find_first_of("?#") != std::string_view::npos) {
    return Error{"API server URL " + quoted + " must not carry user information, a query or a fragment"};
  }
  ApiServerAddress address;
  std::optional<std::string_view> port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Error{"API server URL " + quoted + " has an unterminated IPv6 address"};
    }
    address.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      return Error{"API server URL " + quoted + " has text after its IPv6 address"};
    }
    if (!after.empty()) {
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    address.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  if (address.host.empty()) {
    return Error{"API server URL " + quoted + " has no host"};
  }
  if (port_text) {
    int port = 0;
    const auto [end, error] = std::from_chars(port_text->data(), port_text->data() + port_text->size(), port);
    if (port_text->empty() || error != std::errc() || end != port_text->data() + port_text->size() || port < 1 ||
        port > 65535) {
      return Error{"API server URL " + quoted + " has an invalid port"};
    }
    address.port = port;
  }
  while (!path.empty() && path.back() == '/') {
    path.remove_suffix(1);
  }
  address.base_path = std::string(path);
  return address;
}

}  // namespace meshward::cluster::kube
