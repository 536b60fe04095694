#pragma once
// Keeps one KindCache equal to what the API server holds for its kind, the way client-go's
// reflector does: list in pages, then watch, and recover from every failure on its own.

#include <chrono>
#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/cluster/kube/api_client.h"
#include "webhook/cluster/kube/backoff.h"
#include "webhook/cluster/kube/kind_cache.h"
#include "webhook/cluster/kube/stop_signal.h"
#include "webhook/cluster/kube/watch_event.h"
#include "webhook/cluster/kube/watched_kinds.h"
#include "webhook/common/metrics.h"

namespace meshward::cluster::kube {

struct ReflectorOptions {
  std::size_t page_size = 500;
  std::chrono::milliseconds request_timeout{60000};  // one LIST page, one discovery call
  // The server ends each watch after timeoutSeconds drawn from [min, max] (spreading restarts);
  // a watch silent for that long plus the grace is presumed dead.
  std::chrono::seconds watch_timeout_min{300};
  std::chrono::seconds watch_timeout_max{600};
  std::chrono::milliseconds watch_idle_grace{30000};
  std::chrono::milliseconds absent_kind_recheck{30000};  // how often a missing CRD is looked for
  std::size_t max_event_bytes = 16 * 1024 * 1024;
  BackoffOptions backoff;
};

// The {reason} label values of meshward_cluster_state_watch_restarts_total.
namespace restart_reason {
inline constexpr std::string_view kExpired = "expired";        // 410 Gone: listed again
inline constexpr std::string_view kClosed = "closed";          // the server ended the watch
inline constexpr std::string_view kConnection = "connection";  // dropped, refused, timed out
inline constexpr std::string_view kMalformed = "malformed";    // an event that does not parse
inline constexpr std::string_view kError = "error";            // an HTTP error or an ERROR event
inline constexpr std::string_view kNotFound = "not_found";     // the kind stopped being served
}  // namespace restart_reason

// (For an Istio kind) discovers the served version, LISTs in pages, then WATCHes from the
// list's resourceVersion with bookmarks. On 410 Gone (HTTP or an ERROR event) it lists again;
// on a dropped connection, an HTTP error or a malformed event it waits a jittered exponential
// backoff and watches again from the last resourceVersion seen; when the server ends a watch
// that delivered something (bookmarks count) it watches again at once. A kind whose CRD is not
// installed is empty and synced, and is looked for again periodically. Every step is counted in
// the cluster-state metrics.
class Reflector {
 public:
  Reflector(KindCache& cache, const ApiClient& client, const StopSignal& stop, meshward::Metrics& metrics,
            const ReflectorOptions& options);

  // Runs until the StopSignal fires.
  void run();

 private:
  enum class WatchEnd { Closed, Expired, NotFound, Failed, Malformed, Stopped };

  enum class ListEnd { Done, Expired, NotFound, Failed };

  // The version to use, "" when the kind is not served; nullopt when discovery failed.
  std::optional<std::string> servedVersion();
  void markNotServed();
  // Lists then watches until a relist or a new discovery is needed.
  void listAndWatch(const std::string& version);
  // Lists every page into `contents`; `resource_version` is where a watch continues.
  ListEnd listAll(const std::string& version, KindCache::Contents& contents, std::string& resource_version);
  WatchEnd watchOnce(const std::string& version, std::string& resource_version, bool& progressed);
  void applyEvent(WatchEvent& event, const std::string& api_version, std::string& resource_version);

  // Runs `apply` (caching one object); an exception there skips the object, counted and logged
  // at most every few seconds, and never ends the reflector.
  template <typename Apply>
  void skipIfMalformed(Apply&& apply);
  void recordFailure(const std::string& error);
  void recordRestart(std::string_view reason);
  void publishCount();
  // Waits out the next backoff delay; false when stopping.
  bool backOff();
  std::chrono::seconds nextWatchTimeout();

  KindCache& cache_;
  const WatchedKind& kind_;
  const std::string label_;  // how metrics and logs name the kind
  const ApiClient& client_;
  const StopSignal& stop_;
  meshward::Metrics& metrics_;
  const ReflectorOptions options_;
  Backoff backoff_;
  std::mt19937 random_;
  bool reported_not_served_ = false;
  std::chrono::steady_clock::time_point last_bad_object_log_{};
};

}  // namespace meshward::cluster::kube
