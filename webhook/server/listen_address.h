#pragma once
// Listen addresses as the command line writes them: "ADDR:PORT" or "[IPV6]:PORT" (port 0 asks
// the kernel for a free port).

#include <string>
#include <string_view>

#include "webhook/common/result.h"

namespace meshward::server {

struct ListenAddress {
  std::string host;  // without brackets: "127.0.0.1", "0.0.0.0", "::1"
  int port = 0;

  // host:port, with brackets around an IPv6 host.
  std::string text() const;
};

Result<ListenAddress> parseListenAddress(std::string_view text);

}  // namespace meshward::server
