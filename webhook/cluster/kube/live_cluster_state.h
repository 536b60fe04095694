#pragma once
// The cluster as the API server holds it, answered from memory: a ClusterState kept current by
// one reflector thread per watched kind, read by request threads without touching the network.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/requirements.h"
#include "webhook/cluster/kube/api_client.h"
#include "webhook/cluster/kube/connection_config.h"
#include "webhook/cluster/kube/kind_cache.h"
#include "webhook/cluster/kube/reflector.h"
#include "webhook/cluster/kube/stop_signal.h"
#include "webhook/common/result.h"
#include "webhook/common/metrics.h"

namespace meshward::cluster::kube {

struct LiveClusterStateOptions {
  ReflectorOptions reflector;
  ApiClientOptions client;
};

// Ready once every kind has completed its first list; stop() (or destruction) ends the
// reflectors promptly and joins them. create() checks the settings and builds the caches;
// startWatching() starts the threads (`meshward serve` starts them once its first log line,
// naming its CA, is out).
class LiveClusterState final : public ClusterState {
 public:
  // Watches and keeps what `requirements` asks for (derived from the registered rules).
  // An error only when the connection settings cannot be used (an unparsable CA or client
  // certificate). Not ready (and not watching) until startWatching().
  static Result<std::unique_ptr<LiveClusterState>> create(const ConnectionConfig& connection, Metrics& metrics,
                                                          const ClusterRequirements& requirements,
                                                          const LiveClusterStateOptions& options = {});
  // create() then startWatching(): returns at once, ready once every kind has been listed.
  static Result<std::unique_ptr<LiveClusterState>> start(const ConnectionConfig& connection, Metrics& metrics,
                                                         const ClusterRequirements& requirements,
                                                         const LiveClusterStateOptions& options = {});

  // Starts one reflector thread per watched kind; idempotent, and nothing after stop().
  void startWatching();
  ~LiveClusterState() override;
  LiveClusterState(const LiveClusterState&) = delete;
  LiveClusterState& operator=(const LiveClusterState&) = delete;

  // Idempotent: stops every reflector and joins its thread.
  void stop();

  bool available() const override { return true; }
  bool ready() const override;
  std::optional<NamespaceInfo> findNamespace(std::string_view name) const override;
  bool tracksKind(std::string_view group, std::string_view kind) const override;
  std::shared_ptr<const nlohmann::json> findObject(std::string_view group, std::string_view kind,
                                                   std::string_view namespace_name,
                                                   std::string_view name) const override;
  void forEachObject(std::string_view group, std::string_view kind, const ObjectVisitor& visit) const override;
  void forEachObjectInNamespace(std::string_view group, std::string_view kind, std::string_view namespace_name,
                                const ObjectVisitor& visit) const override;
  bool readIndex(const IndexSpec& spec, const IndexReader& read) const override;

  // One entry per watched kind, in the order of the requirements.
  std::vector<KindStatus> statuses() const;

 private:
  LiveClusterState() = default;

  const KindCache* cacheFor(std::string_view group, std::string_view kind) const;
  void visit(const KindCache& cache, const std::vector<SharedObject>& objects, const ObjectVisitor& visitor) const;

  StopSignal stop_;
  std::string description_;  // where the connection settings came from
  std::unique_ptr<ApiClient> client_;
  std::vector<std::unique_ptr<KindCache>> caches_;
  std::vector<std::unique_ptr<Reflector>> reflectors_;
  std::vector<std::thread> threads_;
  std::mutex threads_mutex_;  // startWatching() against stop()
};

}  // namespace meshward::cluster::kube
