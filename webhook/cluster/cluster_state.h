#pragma once
// ClusterState is the read-only view of the cluster that rules may consult. It is the same
// interface for a live cluster (list/watch cache) and for a folder of manifests (`meshward
// check`), so admission and CI can never disagree. Implementations must be safe to call
// from many request threads at once and answer from memory.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace meshward::cluster {

struct NamespaceInfo {
  std::string name;
  std::map<std::string, std::string, std::less<>> labels;
  std::map<std::string, std::string, std::less<>> annotations;
};

class ClusterState {
 public:
  virtual ~ClusterState() = default;

  // False when meshward has no source of cluster state at all; rules that need it then say
  // so in a warning instead of guessing.
  virtual bool available() const = 0;

  // True once the state is complete enough to answer (a live cache has finished its first list).
  virtual bool ready() const = 0;

  virtual std::optional<NamespaceInfo> findNamespace(std::string_view name) const = 0;
};

// The state when meshward has no source: knows nothing, says so.
class NoClusterState final : public ClusterState {
 public:
  bool available() const override { return false; }
  bool ready() const override { return true; }
  std::optional<NamespaceInfo> findNamespace(std::string_view) const override { return std::nullopt; }
};

}  // namespace meshward::cluster
