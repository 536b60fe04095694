#include "policies/make_before_break/referencing_virtual_services.h"

#include <algorithm>

#include "webhook/common/json_fields.h"
#include "policies/common/workload.h"

namespace meshward::policies {

std::string requestObjectName(const RequestFacts& request, const nlohmann::json& object) {
  if (!request.name.empty()) {
    return request.name;
  }
  return std::string(stringMember(objectMember(&object, "metadata"), "name").value_or(""));
}

std::string firstFew(const std::vector<std::string>& entries) {
  std::string text;
  const std::size_t shown = std::min(entries.size(), kVirtualServicesNamed);
  for (std::size_t i = 0; i < shown; ++i) {
    text += (i == 0 ? "" : ", ") + entries[i];
  }
  if (entries.size() > shown) {
    text += " and " + std::to_string(entries.size() - shown) + " more";
  }
  return text;
}

std::string countOfVirtualServices(std::size_t count) {
  return std::to_string(count) + (count == 1 ? " VirtualService" : " VirtualServices");
}

}  // namespace meshward::policies
