#pragma once
// How to reach and authenticate to a Kubernetes API server: its HTTPS address, the CA that
// must have signed its certificate (always verified), and the credentials (a bearer token, a
// token file re-read when it rotates, or a client certificate). Built from a kubeconfig or
// from the in-cluster service account.

#include <string>
#include <string_view>

#include "webhook/common/result.h"

namespace meshward::cluster::kube {

struct ApiServerAddress {
  std::string host;  // a DNS name or an IP address (IPv6 without brackets)
  int port = 443;
  std::string base_path;  // "" or "/prefix" (no trailing slash) when the server sits under a path

  // "https://host:port/prefix", for logs.
  std::string url() const;
};

// Only https:// URLs: meshward never talks to an API server in clear text.
Result<ApiServerAddress> parseServerUrl(std::string_view url);

struct ConnectionConfig {
  ApiServerAddress server;
  std::string tls_server_name;  // the name the certificate must carry; "" means server.host
  std::string ca_pem;           // required: the server's certificate is always verified
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::string token;        // a fixed bearer token ...
  std::string token_file;   // ... or a file re-read whenever it changes (wins over `token`)
  std::string description;  // where the settings came from, for logs

  // The name to verify the server certificate against.
  const std::string& verifiedName() const { return tls_server_name.empty() ? server.host : tls_server_name; }
};

}  // namespace meshward::cluster::kube
