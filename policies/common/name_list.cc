#include "policies/common/name_list.h"

namespace meshward::policies {

std::string listNames(const std::vector<std::string>& names, std::size_t total) {
  std::string text;
  std::size_t listed = 0;
  for (const std::string& name : names) {
    text += (listed == 0 ? "" : ", ") + name;
    ++listed;
  }
  if (total > listed) {
    text += (listed == 0 ? "" : " and ") + std::to_string(total - listed) + " more";
  }
  return text;
}

std::string_view describeOperation(std::string_view operation) {
  if (operation == "DELETE") {
    return "deleting it";
  }
  if (operation == "UPDATE") {
    return "this update";
  }
  return "creating it";
}

}  // namespace meshward::policies
