#include "webhook/cluster/kube/api_status.h"

#include "webhook/common/json_fields.h"

namespace meshward::cluster::kube {
namespace {

constexpr std::size_t kMaxQuotedBody = 200;

std::string printable(std::string_view text) {
  std::string result;
  for (const char c : text.substr(0, kMaxQuotedBody)) {
    result.push_back(c >= 0x20 && c < 0x7f ? c : ' ');
  }
  return result;
}

}  // namespace

std::string describeStatus(const nlohmann::json& status, int& code) {
  code = 0;
  if (const nlohmann::json* value = meshward::member(&status, "code"); value != nullptr && value->is_number_integer()) {
    code = value->get<int>();
  }
  const std::string reason(meshward::stringMember(&status, "reason").value_or(""));
  const std::string message(meshward::stringMember(&status, "message").value_or(""));
  if (reason.empty()) {
    return message;
  }
  return message.empty() ? reason : reason + ": " + message;
}

std::string describeFailure(const ApiResponse& response) {
  std::string text = "HTTP " + std::to_string(response.status);
  const nlohmann::json status = nlohmann::json::parse(response.body, nullptr, false);
  if (status.is_object() && meshward::stringMember(&status, "kind") == "Status") {
    int code = 0;
    const std::string described = describeStatus(status, code);
    return described.empty() ? text : text + " (" + described + ")";
  }
  if (!response.body.empty()) {
    text += ": " + printable(response.body);
  }
  return text;
}

}  // namespace meshward::cluster::kube
