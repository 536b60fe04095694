#include "webhook/server/webhook_routes.h"

#include <array>
#include <exception>
#include <memory>

#include <spdlog/spdlog.h>

#include "webhook/server/request_checks.h"
#include "webhook/server/response_coalescing.h"

namespace meshward::server {
namespace {

using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

struct Route {
  std::string_view path;
  std::string_view allow;  // the Allow header of a 405
  bool post;               // POST only; otherwise GET and HEAD
};

constexpr std::array<Route, 4> kRoutes = {{
    {"/validate", "POST", true},
    {"/mutate", "POST", true},
    {"/healthz", "GET, HEAD", false},
    {"/readyz", "GET, HEAD", false},
}};

constexpr std::string_view kNoSuchRoute =
    "no such path; meshward serves POST /validate, POST /mutate, GET /healthz and GET /readyz";

const Route* findRoute(std::string_view path) {
  for (const Route& route : kRoutes) {
    if (route.path == path) {
      return &route;
    }
  }
  return nullptr;
}

bool allows(const Route& route, std::string_view method) {
  return route.post ? method == "POST" : (method == "GET" || method == "HEAD");
}

BodyFraming framingOf(const Request& request) {
  BodyFraming framing;
  framing.method = request.method;
  framing.has_transfer_encoding = request.has_header("Transfer-Encoding");
  const auto [first, last] = request.headers.equal_range("Content-Length");
  for (auto header = first; header != last; ++header) {
    framing.content_lengths.push_back(header->second);
  }
  return framing;
}

void setReply(Response& response, const HttpReply& reply) {
  response.status = reply.status;
  response.set_content(reply.body, reply.content_type.c_str());
}

// Answers and then closes the connection: used when the request's body is left unread, so the
// next bytes on the connection are not the start of a request. cpp-httplib closes a connection
// whose response writer fails, so the writer sends the whole body and then reports failure.
void replyAndClose(Response& response, const HttpReply& reply) {
  response.status = reply.status;
  response.set_header("Connection", "close");
  auto body = std::make_shared<const std::string>(reply.body);
  response.set_content_provider(body->size(), reply.content_type.c_str(),
                                [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                  sink.write(body->data() + offset, length);
                                  return false;
                                });
}

std::string_view statusText(int status) {
  switch (status) {
    case 400:
      return "malformed HTTP request";
    case 404:
      return kNoSuchRoute;
    case 405:
      return "method not allowed";
    case 413:
      return "request body too large";
    case 414:
      return "request URI too long";
    case 416:
      return "range not satisfiable";
    case 500:
      return "internal error";
    default:
      return "request failed";
  }
}

struct Refusal {
  HttpReply reply;
  bool close = false;          // the body (if any) is left unread
  std::string_view allow;      // the Allow header of a 405
};

// What is answered from the headers alone: an unknown path, a wrong method, a body that cannot
// be read within bounds. The body is never read for these.
std::optional<Refusal> refusalBeforeBody(const Request& request, std::size_t max_request_bytes) {
  const BodyFraming framing = framingOf(request);
  const Route* route = findRoute(request.path);
  if (route == nullptr) {
    return Refusal{jsonError(404, kNoSuchRoute), bodyFollows(framing), {}};
  }
  if (!allows(*route, request.method)) {
    return Refusal{jsonError(405, std::string(route->path) + " accepts " + std::string(route->allow)),
                   bodyFollows(framing), route->allow};
  }
  if (auto unbounded = refuseUnboundedBody(framing, max_request_bytes)) {
    return Refusal{std::move(*unbounded), true, {}};
  }
  return std::nullopt;
}

// Reads the whole body (its declared length is at most drainableBodyBytes), keeping at most
// `max_request_bytes` of it, and then answers: 413 when it was larger, else the admission.
HttpReply admit(const Request& request, const httplib::ContentReader& read_body, std::size_t max_request_bytes,
                const std::function<HttpReply(std::string_view)>& handler) {
  std::string body;
  std::size_t received = 0;
  const bool complete = read_body([&](const char* data, std::size_t length) {
    received += length;
    if (received <= max_request_bytes) {
      body.append(data, length);
    }
    return true;
  });
  if (!complete) {
    return jsonError(400, "the request body could not be read completely");
  }
  if (received > max_request_bytes) {
    return bodyTooLarge(received, max_request_bytes);
  }
  if (!isJsonContentType(request.get_header_value("Content-Type"))) {
    return jsonError(415, "Content-Type must be application/json");
  }
  return handler(body);
}

}  // namespace

std::string_view routeLabel(std::string_view path) {
  const Route* route = findRoute(path);
  return route == nullptr ? "other" : route->path;
}

void installWebhookRoutes(httplib::Server& server, WebhookRoutes routes, std::size_t max_request_bytes,
                          Metrics& metrics, ConnectionWatchdog* watchdog) {
  auto shared_routes = std::make_shared<const WebhookRoutes>(std::move(routes));

  server.set_pre_routing_handler([max_request_bytes, watchdog](const Request& request, Response& response) {
    if (watchdog != nullptr) {
      watchdog->requestStarted(request.ssl);
    }
    holdResponse(request.ssl);
    std::optional<Refusal> refusal = refusalBeforeBody(request, max_request_bytes);
    if (!refusal) {
      return HandlerResponse::Unhandled;
    }
    if (!refusal->allow.empty()) {
      response.set_header("Allow", std::string(refusal->allow));
    }
    if (refusal->close) {
      replyAndClose(response, refusal->reply);
    } else {
      setReply(response, refusal->reply);
    }
    return HandlerResponse::Handled;
  });

  server.Post("/validate", [shared_routes, max_request_bytes](const Request& request, Response& response,
                                                               const httplib::ContentReader& read_body) {
    setReply(response, admit(request, read_body, max_request_bytes, shared_routes->validate));
  });
  server.Post("/mutate", [shared_routes, max_request_bytes](const Request& request, Response& response,
                                                             const httplib::ContentReader& read_body) {
    setReply(response, admit(request, read_body, max_request_bytes, shared_routes->mutate));
  });
  server.Get("/healthz", [](const Request&, Response& response) { response.set_content("ok", "text/plain"); });
  server.Get("/readyz", [shared_routes](const Request&, Response& response) {
    const std::optional<std::string> reason = shared_routes->not_ready_reason();
    if (reason) {
      setReply(response, jsonError(503, "not ready: " + *reason));
    } else {
      response.set_content("ok", "text/plain");
    }
  });

  server.set_exception_handler([&metrics](const Request& request, Response& response, std::exception_ptr thrown) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(thrown);
    } catch (const std::exception& error) {
      what = error.what();
    } catch (...) {
    }
    spdlog::error("internal error answering {} {}: {}", request.method, request.path, what);
    metrics.recordInternalError("http");
    setReply(response, jsonError(500, "internal error"));
  });

  // cpp-httplib calls this for every status >= 400, even when a route already wrote the body.
  // An empty body means cpp-httplib refused the request itself (a malformed request line or
  // headers, an oversized URI or body): the rest of the connection cannot be trusted, so close it.
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const Request&, Response& response) {
    if (!response.body.empty() || response.content_length_ > 0) {
      return HandlerResponse::Unhandled;
    }
    replyAndClose(response, jsonError(response.status, statusText(response.status)));
    return HandlerResponse::Handled;
  }));

  // cpp-httplib logs a response once its body is written: then it goes out, in one write.
  server.set_logger([](const Request& request, const Response&) { flushResponse(request.ssl); });

  server.set_post_routing_handler([&metrics, watchdog](const Request& request, Response& response) {
    metrics.recordHttpRequest(routeLabel(request.path), response.status);
    if (watchdog != nullptr) {
      watchdog->requestFinished(request.ssl);
    }
  });
}

}  // namespace meshward::server
