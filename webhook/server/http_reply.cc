#include "webhook/server/http_reply.h"

#include <nlohmann/json.hpp>

namespace meshward::server {

std::string jsonErrorBody(std::string_view message) {
  // Invalid UTF-8 (say, echoed from a request) is replaced rather than thrown on.
  return nlohmann::json{{"error", std::string(message)}}.dump(-1, ' ', false,
                                                              nlohmann::json::error_handler_t::replace);
}

HttpReply jsonError(int status, std::string_view message) { return {status, jsonErrorBody(message)}; }

}  // namespace meshward::server
