#pragma once
// Checks on a request's headers made before its body is read. cpp-httplib 0.11 bounds a body
// only by Content-Length: a chunked body or one without a length (read until EOF) could grow
// without limit, so such requests are refused up front, as is a declared length over the limit.

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "webhook/server/http_reply.h"

namespace meshward::server {

struct BodyFraming {
  std::string_view method;
  bool has_transfer_encoding = false;
  std::vector<std::string_view> content_lengths;  // every Content-Length header given
};

// 411, 400 or 413 when the body cannot be read safely; nullopt when it can.
std::optional<HttpReply> refuseUnboundedBody(const BodyFraming& framing, std::size_t max_body_bytes);

// How much of a body over the limit is still read (and thrown away) before answering 413, so
// the client, still sending, receives the 413 instead of a reset connection. Larger bodies are
// refused from their Content-Length alone and the connection is closed.
std::size_t drainableBodyBytes(std::size_t max_body_bytes);

// The 413 answer for a body of `length` bytes.
HttpReply bodyTooLarge(std::size_t length, std::size_t max_body_bytes);

// True when body bytes follow the headers: chunked, or a Content-Length that is not 0
// (malformed lengths count). Without either, an HTTP/1.1 request has no body.
bool bodyFollows(const BodyFraming& framing);

// The declared body length; nullopt when absent or malformed.
std::optional<std::size_t> declaredBodyLength(const BodyFraming& framing);

// "application/json", case-insensitively, with or without parameters such as charset.
bool isJsonContentType(std::string_view header_value);

}  // namespace meshward::server
