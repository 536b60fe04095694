#include "webhook/server/listen_address.h"

#include <charconv>

namespace meshward::server {

std::string ListenAddress::text() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ListenAddress> parseListenAddress(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Error{"listen address " + quoted + " must be ADDR:PORT or [IPV6]:PORT"};
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Error{"listen address " + quoted + ": write an IPv6 address in brackets, e.g. [::1]:8443"};
  }
  if (host.empty()) {
    return Error{"listen address " + quoted + " has no address (use 0.0.0.0 for every interface)"};
  }
  if (host.find_first_of("[] \t") != std::string_view::npos) {
    return Error{"listen address " + quoted + " has a malformed address"};
  }
  int port = -1;
  const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    return Error{"listen address " + quoted + " has no valid port (0-65535)"};
  }
  return ListenAddress{std::string(host), port};
}

}  // namespace meshward::server
