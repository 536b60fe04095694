#include "policies/finding.h"

namespace meshward::policies {

nlohmann::json PatchOperation::toJson() const {
  nlohmann::json operation = {{"op", op}, {"path", path}};
  if (op != "remove") {
    operation["value"] = value;
  }
  return operation;
}

}  // namespace meshward::policies
