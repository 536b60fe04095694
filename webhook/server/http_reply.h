#pragma once
// What a route answers, independent of the HTTP library: a status, a body and its media type.
// Transport errors carry a JSON body {"error": "..."}.

#include <string>
#include <string_view>

namespace meshward::server {

inline constexpr std::string_view kJsonContentType = "application/json";

struct HttpReply {
  int status = 200;
  std::string body;
  std::string content_type = std::string(kJsonContentType);
};

// {"error": message} (the message JSON-escaped).
std::string jsonErrorBody(std::string_view message);

HttpReply jsonError(int status, std::string_view message);

}  // namespace meshward::server
