#include "webhook/server/readiness.h"

namespace meshward::server {

std::optional<std::string> Readiness::notReadyReason() const {
  if (shutting_down_.load()) {
    return "shutting down";
  }
  if (!policies_.current()) {
    return "no policy loaded";
  }
  if (!tls_.current()) {
    return "no TLS certificate loaded";
  }
  if (!cluster_.ready()) {
    return "cluster state not synchronised yet";
  }
  return std::nullopt;
}

}  // namespace meshward::server
