#pragma once
// The cached objects of one watched kind and the indexes it feeds: written by the kind's one
// reflector thread, read by any number of request threads.

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/kube/cached_object.h"
#include "webhook/cluster/index.h"
#include "webhook/cluster/kube/watched_kinds.h"
#include "webhook/cluster/requirements.h"
#include "webhook/cluster/kube/writer_preferring_mutex.h"

namespace meshward::cluster::kube {

struct KindStatus {
  std::string kind;
  bool synced = false;         // the first list has completed (or the kind is known not to be served)
  std::string served_version;  // "" while unknown or when the CRD is not installed
  std::size_t objects = 0;
  std::string last_error;  // the latest failure talking to the API server, "" after a success
};

// Readers take a shared lock just long enough to copy out the stored objects or an index's
// answer (decoding and rules' reading happen after), and a waiting writer goes first; a relist
// assembles the new contents and indexes aside (KindCache::Contents) and swaps them in, so
// readers never wait for a rebuild.
class KindCache {
 private:
  struct NameLess {
    using is_transparent = void;
    template <typename Left, typename Right>
    bool operator()(const Left& left, const Right& right) const {
      return std::pair<std::string_view, std::string_view>(left.first, left.second) <
             std::pair<std::string_view, std::string_view>(right.first, right.second);
    }
  };
  using ObjectName = std::pair<std::string, std::string>;  // namespace ("" when cluster-scoped), name
  using ObjectMap = std::map<ObjectName, std::shared_ptr<const CachedObject>, NameLess>;
  using Indexes = std::vector<std::pair<const IndexSpec*, std::unique_ptr<ObjectIndex>>>;

 public:
  // The complete contents of the kind being assembled from a LIST, page by page: each object is
  // stored (packed, for packed kinds) and indexed as it is added, so a list never holds every
  // object as a JSON tree at once.
  class Contents {
   public:
    // A trimmed object; one without metadata.name is not kept.
    void add(const nlohmann::json& object);
    std::size_t size() const { return objects_.size(); }

   private:
    friend class KindCache;
    explicit Contents(const KindCache& cache) : cache_(&cache), indexes_(cache.newIndexes()) {}

    const KindCache* cache_;
    ObjectMap objects_;
    Indexes indexes_;
  };

  explicit KindCache(KindRequirement requirement);

  const WatchedKind& kind() const { return requirement_.kind; }
  const KindRequirement& requirement() const { return requirement_; }

  // --- the reflector's side ---------------------------------------------------------------
  Contents newContents() const { return Contents(*this); }
  // After a (re)list: objects not in `contents` are gone.
  void replaceAll(Contents contents);
  // A trimmed object, added or replacing the one with its name.
  void upsert(const nlohmann::json& object);
  void remove(std::string_view namespace_name, std::string_view name);

  void markSynced() { synced_.store(true); }
  void setServedVersion(std::string version);
  void setLastError(std::string error);

  // --- the readers' side ------------------------------------------------------------------
  SharedObject find(std::string_view namespace_name, std::string_view name) const;
  // Ordered by (namespace, name); only `namespace_name` when given.
  std::vector<SharedObject> snapshot(std::optional<std::string_view> namespace_name = std::nullopt) const;
  std::size_t size() const;
  bool synced() const { return synced_.load(); }
  KindStatus status() const;

  // Runs `read` on the index of `spec` under the read lock (see IndexReader); false when the
  // cache feeds no such index.
  bool readIndex(const IndexSpec& spec, const IndexReader& read) const;

 private:
  // The name an object is filed under; nullopt without metadata.name.
  std::optional<ObjectName> nameOf(const nlohmann::json& object) const;
  Indexes newIndexes() const;
  ObjectKey keyOf(const ObjectName& name) const;

  const KindRequirement requirement_;
  mutable WriterPreferringMutex mutex_;
  ObjectMap objects_;
  Indexes indexes_;

  std::atomic<bool> synced_{false};
  mutable std::mutex status_mutex_;
  std::string served_version_;
  std::string last_error_;
};

}  // namespace meshward::cluster::kube
