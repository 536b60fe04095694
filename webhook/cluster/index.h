#pragma once
// Secondary indexes over cluster objects, declared by the rules that query them (policies/indexes/)
// and built by every ClusterState through this one mechanism: a live cache keeps each index beside
// the objects of the kind that feeds it, updated object by object; a set of manifests builds it
// once. A new query is a new IndexSpec, never a new ClusterState method.

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cluster/kinds.h"
#include "webhook/cluster/object_key.h"

namespace meshward::cluster {

class ClusterState;

// Where the objects come from: a live cluster's running objects, or manifests, in which a
// workload's pod template stands for the pods it will create.
enum class ObjectSource { Live, Manifests };

// One instance per cluster state. Not thread-safe: its owner serialises updates against reads.
class ObjectIndex {
 public:
  virtual ~ObjectIndex() = default;
  // Records `object`, replacing what was recorded under the same key.
  virtual void update(const ObjectKey& key, const nlohmann::json& object) = 0;
  virtual void remove(const ObjectKey& key) = 0;
};

struct IndexFeed {
  KindInfo kind;
  std::vector<std::string_view> reads;  // the fields of `kind` the index reads (FieldSet pointers)
};

// Specs are process-wide constants; a state finds an index by its spec's address.
class IndexSpec {
 public:
  virtual ~IndexSpec() = default;
  virtual std::string_view name() const = 0;
  // The kinds whose objects feed the index. A live cluster feeds an index from exactly one kind.
  virtual std::vector<IndexFeed> feeds(ObjectSource source) const = 0;
  // `manifests` is the state being built (for namespace lookups) when source is Manifests, else null.
  virtual std::unique_ptr<ObjectIndex> create(ObjectSource source, const ClusterState* manifests) const = 0;
};

// The spec of an index fed by one kind, read the same way from a live cluster and from manifests,
// and built empty (most indexes).
template <typename Index>
class SingleKindIndexSpec final : public IndexSpec {
 public:
  SingleKindIndexSpec(std::string_view name, KindInfo kind, std::vector<std::string_view> reads)
      : name_(name), feed_{kind, std::move(reads)} {}

  std::string_view name() const override { return name_; }
  std::vector<IndexFeed> feeds(ObjectSource) const override { return {feed_}; }
  std::unique_ptr<ObjectIndex> create(ObjectSource, const ClusterState*) const override {
    return std::make_unique<Index>();
  }

 private:
  std::string_view name_;
  IndexFeed feed_;
};

// Called with the index while the state holds it steady. It must only copy out what it needs:
// rule code never runs under a cache's lock.
using IndexReader = std::function<void(const ObjectIndex&)>;

}  // namespace meshward::cluster
