#pragma once
// One object as a KindCache holds it: the trimmed JSON itself, or its MessagePack encoding,
// decoded on each access (for the kinds a cluster has thousands of: see WatchedKind::packed).

#include <cstdint>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

namespace meshward::cluster::kube {

using SharedObject = std::shared_ptr<const nlohmann::json>;

class CachedObject {
 public:
  // A packed object costs about a tenth of the memory of the same nlohmann::json tree; reading
  // it costs a decode of a few microseconds.
  CachedObject(const nlohmann::json& object, bool packed);

  // The object; for a packed one, a fresh decode that the caller owns.
  SharedObject get() const;

 private:
  SharedObject json_;                 // when not packed
  std::vector<std::uint8_t> packed_;  // MessagePack, when packed
};

}  // namespace meshward::cluster::kube
