#pragma once
// A throw-away certificate authority and a serving certificate signed by it, generated in
// memory (EC P-256) so `meshward serve` works on a laptop without any TLS flags.

#include <chrono>
#include <string>
#include <vector>

#include "webhook/common/result.h"

namespace meshward::server {

struct SelfSignedOptions {
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ip_addresses = {"127.0.0.1", "::1"};
  std::chrono::seconds validity = std::chrono::hours(24 * 365);
  std::string extended_key_usage = "serverAuth";  // "clientAuth" for a client certificate
};

struct SelfSignedCertificate {
  std::string ca_pem;    // what a client trusts (curl --cacert)
  std::string cert_pem;  // the serving certificate
  std::string key_pem;   // its private key (PKCS#8)
};

Result<SelfSignedCertificate> generateSelfSigned(const SelfSignedOptions& options = {});

}  // namespace meshward::server
