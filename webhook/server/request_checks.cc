#include "webhook/server/request_checks.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>

namespace meshward::server {
namespace {

// The methods for which cpp-httplib reads a body, with or without a length.
constexpr std::array<std::string_view, 5> kMethodsWithBody = {"POST", "PUT", "PATCH", "DELETE", "PRI"};

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::size_t> parseLength(std::string_view text) {
  text = trim(text);
  std::size_t length = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return length;
}

}  // namespace

std::optional<std::size_t> declaredBodyLength(const BodyFraming& framing) {
  if (framing.content_lengths.empty()) {
    return std::nullopt;
  }
  const auto first = parseLength(framing.content_lengths.front());
  for (std::string_view other : framing.content_lengths) {
    if (parseLength(other) != first) {
      return std::nullopt;
    }
  }
  return first;
}

bool bodyFollows(const BodyFraming& framing) {
  return framing.has_transfer_encoding ||
         (!framing.content_lengths.empty() && declaredBodyLength(framing) != std::size_t{0});
}

std::optional<HttpReply> refuseUnboundedBody(const BodyFraming& framing, std::size_t max_body_bytes) {
  if (framing.has_transfer_encoding) {
    return jsonError(411, "Transfer-Encoding is not accepted; send the body with a Content-Length");
  }
  if (framing.content_lengths.empty()) {
    const bool expects_body = std::find(kMethodsWithBody.begin(), kMethodsWithBody.end(), framing.method) !=
                              kMethodsWithBody.end();
    if (expects_body) {
      return jsonError(411, "a Content-Length header is required");
    }
    return std::nullopt;
  }
  const auto length = declaredBodyLength(framing);
  if (!length) {
    return jsonError(400, "malformed Content-Length header");
  }
  if (*length > drainableBodyBytes(max_body_bytes)) {
    return bodyTooLarge(*length, max_body_bytes);
  }
  return std::nullopt;
}

std::size_t drainableBodyBytes(std::size_t max_body_bytes) {
  constexpr std::size_t kMaxDrainBytes = 16u << 20;
  return max_body_bytes + std::min(max_body_bytes, kMaxDrainBytes);
}

HttpReply bodyTooLarge(std::size_t length, std::size_t max_body_bytes) {
  return jsonError(413, "request body of " + std::to_string(length) + " bytes is larger than the limit of " +
                            std::to_string(max_body_bytes) + " bytes");
}

bool isJsonContentType(std::string_view header_value) {
  const auto semicolon = header_value.find(';');
  return equalsIgnoringCase(trim(header_value.substr(0, semicolon)), kJsonContentType);
}

}  // namespace meshward::server
