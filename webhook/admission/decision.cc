#include "webhook/admission/decision.h"

namespace meshward::admission {

nlohmann::json Decision::patchDocument() const {
  nlohmann::json document = nlohmann::json::array();
  for (const policies::PatchOperation& operation : patch) {
    document.push_back(operation.toJson());
  }
  return document;
}

}  // namespace meshward::admission
