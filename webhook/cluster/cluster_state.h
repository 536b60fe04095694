#pragma once
// ClusterState is the read-only view of the cluster that rules may consult. It is the same
// interface for a live cluster (list/watch cache) and for a folder of manifests (`meshward
// check`), so admission and CI can never disagree. Implementations must be safe to call
// from many request threads at once and answer from memory. It knows no mesh and no rule:
// what to follow, keep and index comes from ClusterRequirements.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/cluster/index.h"
#include "webhook/cluster/object_key.h"

namespace meshward::cluster {

using Labels = std::map<std::string, std::string, std::less<>>;

struct NamespaceInfo {
  std::string name;
  Labels labels;
  Labels annotations;
};

// Called once per object with its key and the object (for a live cluster: trimmed to the
// fields rules read). The object is only valid during the call; no lock is held.
using ObjectVisitor = std::function<void(const ObjectKey&, const nlohmann::json&)>;

class ClusterState {
 public:
  virtual ~ClusterState() = default;

  // False when meshward has no source of cluster state at all; the engine then reports the gap
  // for every rule that needs it instead of letting it guess.
  virtual bool available() const = 0;

  // True once the state is complete enough to answer (a live cache has finished its first list).
  virtual bool ready() const = 0;

  virtual std::optional<NamespaceInfo> findNamespace(std::string_view name) const = 0;

  // The lookups below answer in O(log n) (plus what they return); the defaults are those of a
  // state that knows nothing. `namespace_name` is "" for cluster-scoped kinds.

  // Whether the state follows this kind: when it does not, an absent object means "unknown",
  // not "there is none". A live cache follows the kinds it watches (a kind whose CRD is not
  // installed is followed, and empty); manifests stand for every kind.
  virtual bool tracksKind(std::string_view group, std::string_view kind) const;

  // A snapshot of one object, still valid after the live cache has moved on; nullptr when absent.
  virtual std::shared_ptr<const nlohmann::json> findObject(std::string_view group, std::string_view kind,
                                                           std::string_view namespace_name,
                                                           std::string_view name) const;

  // Every object of a kind, ordered by (namespace, name), visited after the state's locks are released.
  virtual void forEachObject(std::string_view group, std::string_view kind, const ObjectVisitor& visit) const;

  // Every object of a kind in one namespace, ordered by name.
  virtual void forEachObjectInNamespace(std::string_view group, std::string_view kind, std::string_view namespace_name,
                                        const ObjectVisitor& visit) const;

  // Runs `read` on the index built from `spec` (see IndexReader); false when the state keeps no
  // such index, and then `read` is not called.
  virtual bool readIndex(const IndexSpec& spec, const IndexReader& read) const;
};

// Asks the index of `spec`, as its concrete type, for `query(index)`'s answer, which must be a
// copy (a value type); a default-constructed answer when the state keeps no such index.
template <typename Index, typename Query>
auto queryIndex(const ClusterState& state, const IndexSpec& spec, Query&& query) {
  decltype(query(std::declval<const Index&>())) answer{};
  state.readIndex(spec, [&](const ObjectIndex& index) { answer = query(static_cast<const Index&>(index)); });
  return answer;
}

// The state when meshward has no source: knows nothing, says so.
class NoClusterState final : public ClusterState {
 public:
  bool available() const override { return false; }
  bool ready() const override { return true; }
  std::optional<NamespaceInfo> findNamespace(std::string_view) const override { return std::nullopt; }
};

}  // namespace meshward::cluster
