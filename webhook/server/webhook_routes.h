#pragma once
// The webhook listener's routes on a cpp-httplib server: POST /validate, POST /mutate,
// GET /healthz and GET /readyz. Transport problems are HTTP errors with a JSON body
// {"error": ...}: 404 unknown path, 405 wrong method (with Allow), 411/413 unreadable or
// oversized body, 415 not JSON, 500 internal error. Every response is counted by route and code.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>

#include "webhook/server/connection_watchdog.h"
#include "webhook/server/http_reply.h"
#include "webhook/common/metrics.h"

namespace meshward::server {

struct WebhookRoutes {
  std::function<HttpReply(std::string_view body)> validate;
  std::function<HttpReply(std::string_view body)> mutate;
  std::function<std::optional<std::string>()> not_ready_reason;  // nullopt when ready
};

// `watchdog` may be null (a listener without TLS); it must outlive the server otherwise.
void installWebhookRoutes(httplib::Server& server, WebhookRoutes routes, std::size_t max_request_bytes,
                          Metrics& metrics, ConnectionWatchdog* watchdog);

// The route a path is counted under: one of the four, or "other" (keeps metric labels bounded).
std::string_view routeLabel(std::string_view path);

}  // namespace meshward::server
