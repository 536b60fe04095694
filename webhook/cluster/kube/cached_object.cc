#include "webhook/cluster/kube/cached_object.h"

namespace meshward::cluster::kube {

CachedObject::CachedObject(const nlohmann::json& object, bool packed) {
  if (!packed) {
    json_ = std::make_shared<const nlohmann::json>(object);
    return;
  }
  packed_ = nlohmann::json::to_msgpack(object);
  packed_.shrink_to_fit();
}

SharedObject CachedObject::get() const {
  if (json_) {
    return json_;
  }
  nlohmann::json decoded = nlohmann::json::from_msgpack(packed_, true, false);
  return std::make_shared<const nlohmann::json>(decoded.is_discarded() ? nlohmann::json::object() : std::move(decoded));
}

}  // namespace meshward::cluster::kube
