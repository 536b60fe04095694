#pragma once
// A stand-in for kube-apiserver on 127.0.0.1 for the live cluster-state tests, the e2e tests and
// the benchmark: the API as a list/watch client sees it, plus the faults it must survive.

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "webhook/cluster/kube/connection_config.h"

namespace meshward::test_support {

struct FakeKind {
  std::string group;                  // "" for the core group
  std::vector<std::string> versions;  // served versions
  std::string kind;
  std::string resource;
  bool namespaced = true;
};

// Namespace, Pod and Service in core v1.
std::vector<FakeKind> coreKinds();
// The Istio kinds meshward watches, served the way Istio's CRDs serve them: networking.istio.io
// in v1, v1beta1 and v1alpha3, security.istio.io in v1 and v1beta1.
std::vector<FakeKind> istioKinds();
// The kind a CustomResourceDefinition object defines (its served versions); throws on a non-CRD.
FakeKind kindOfCrd(const nlohmann::json& crd);

// Whether an apply or remove reaches watches (and the history a watch may resume from), or is
// lost, as events are lost while a client is cut off and the history is compacted.
enum class Delivery { Normal, Silent };

// How an expired resourceVersion is reported: an HTTP 410 Status answer to the next WATCH, or
// an ERROR event with code 410 in the stream (both happen with the real API server).
enum class ExpiryStyle { HttpGone, ErrorEvent };

// HTTPS on port 0 with a generated CA, bearer-token checks, discovery of core and CRD kinds
// (APIGroup, APIResourceList), paginated LIST (limit/continue, items without kind/apiVersion as
// the real server sends them) and WATCH streams of newline-delimited WatchEvents; faults:
// dropped and cleanly ended watches, expired resourceVersions (HTTP 410 Status or an ERROR event
// with code 410), malformed events, slow answers, CRDs that appear or disappear after start.
class FakeKubeApiServer {
 public:
  struct Options {
    std::vector<std::string> tokens = {"test-token"};
    bool serve_istio = true;
    std::size_t worker_threads = 64;  // every open watch holds one
  };

  // Throws std::runtime_error when the server cannot start.
  FakeKubeApiServer();
  explicit FakeKubeApiServer(Options options);
  ~FakeKubeApiServer();
  FakeKubeApiServer(const FakeKubeApiServer&) = delete;
  FakeKubeApiServer& operator=(const FakeKubeApiServer&) = delete;

  int port() const { return port_; }
  const std::string& caPem() const { return ca_pem_; }
  std::string url() const;

  // Settings for meshward's client: this server, its CA and `token`.
  cluster::kube::ConnectionConfig connection(const std::string& token = "test-token") const;
  // A kubeconfig with this server, its CA (as data) and a user with `token`; returns its text.
  std::string kubeconfig(const std::string& token = "test-token") const;

  // --- what the server serves ---------------------------------------------------------------
  void setTokens(std::vector<std::string> tokens);
  // Starts serving a kind (a CRD is installed); replaces a kind of the same group and kind.
  void serveKind(const FakeKind& kind);
  // Stops serving it (the CRD is deleted): its objects are gone and its open watches end.
  void stopServingKind(std::string_view group, std::string_view kind);

  // Creates or replaces an object (it needs apiVersion, kind and metadata.name); returns its
  // new resourceVersion. The kind does not need to be served yet.
  std::string apply(nlohmann::json object, Delivery delivery = Delivery::Normal);
  // Many objects at once (seeding), without history: for a server no watch has seen yet.
  void seed(const std::vector<nlohmann::json>& objects);
  // Deletes an object; false when absent.
  bool remove(std::string_view group, std::string_view kind, std::string_view namespace_name, std::string_view name,
              Delivery delivery = Delivery::Normal);

  // --- faults -------------------------------------------------------------------------------
  // A BOOKMARK with the current resourceVersion to every open watch that allows bookmarks.
  void bookmark();
  // Closes every open watch abruptly (no end of the chunked stream).
  void dropWatches();
  // Ends every open watch cleanly, as the server does when a watch's timeoutSeconds is up.
  void closeWatches();
  // Compacts the history: every resourceVersion before the current one becomes too old to
  // watch from, and open watches are told so in `style` (ErrorEvent: an ERROR 410 event, then
  // the end of the stream; HttpGone: the connection drops and the next watch gets HTTP 410).
  // Unfinished LIST continuations expire too.
  void expireHistory(ExpiryStyle style);
  // Sends `line` (plus a newline) as is to the open watches of `resource`.
  void sendRawLine(std::string_view resource, std::string_view line);
  // Every answer waits this long first; setting 0 releases the answers waiting now.
  void setResponseDelay(std::chrono::milliseconds delay);

  // --- what clients did ---------------------------------------------------------------------
  std::size_t listRequests(std::string_view resource) const;
  std::size_t watchRequests(std::string_view resource) const;
  // The resourceVersion parameter of every WATCH of `resource`, in order.
  std::vector<std::string> watchResourceVersions(std::string_view resource) const;
  std::size_t openWatches(std::string_view resource = "") const;
  std::size_t unauthorizedRequests() const;
  // Requests that reached a handler (counted before the response delay).
  std::size_t requestsReceived() const;
  std::string resourceVersion() const;

 private:
  struct StoredObject {
    std::string namespace_name;
    std::string name;
    std::string text;  // the object as a LIST item: without apiVersion and kind
  };
  struct HistoryEvent {
    std::uint64_t resource_version;
    std::string resource_key;  // "group/resource"
    std::string type;          // ADDED, MODIFIED, DELETED
    std::shared_ptr<const StoredObject> object;
  };
  struct Watcher {
    std::string resource_key;
    std::string api_version;
    std::string kind;
    bool bookmarks = false;
    std::deque<std::string> lines;
    bool end_cleanly = false;
    bool drop = false;
    std::chrono::steady_clock::time_point deadline;
  };
  struct ListSnapshot {
    std::uint64_t resource_version;
    std::vector<std::shared_ptr<const StoredObject>> items;
  };
  using ObjectMap = std::map<std::pair<std::string, std::string>, std::shared_ptr<const StoredObject>>;

  void registerRoutes();
  bool authorized(const httplib::Request& request, httplib::Response& response);
  void delay();
  void serveCollection(const std::string& group, const std::string& version, const std::string& resource,
                       const httplib::Request& request, httplib::Response& response);
  void serveObject(const std::string& group, const std::string& version, const std::string& resource,
                   const std::string& namespace_name, const std::string& name, const httplib::Request& request,
                   httplib::Response& response);
  void serveList(const FakeKind& kind, const httplib::Request& request, httplib::Response& response);
  void serveWatch(const FakeKind& kind, const std::string& version, const httplib::Request& request,
                  httplib::Response& response);
  const FakeKind* servedKindLocked(std::string_view group, std::string_view resource) const;
  std::string applyLocked(nlohmann::json object, Delivery delivery);
  void recordLocked(const std::string& resource_key, const std::string& type,
                    std::shared_ptr<const StoredObject> object, Delivery delivery);
  std::string eventLine(const Watcher& watcher, const HistoryEvent& event) const;
  void unregister(const std::shared_ptr<Watcher>& watcher);

  const Options options_;
  std::string ca_pem_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread listener_;
  int port_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::set<std::string, std::less<>> tokens_;
  std::vector<FakeKind> kinds_;
  std::map<std::string, ObjectMap, std::less<>> objects_;                        // by "group/resource"
  std::map<std::pair<std::string, std::string>, std::string> resource_of_kind_;  // (group, kind) -> key
  std::uint64_t resource_version_ = 1;
  std::uint64_t compacted_ = 0;  // watches from below this resourceVersion are too old
  ExpiryStyle expiry_style_ = ExpiryStyle::ErrorEvent;
  std::vector<HistoryEvent> history_;
  std::map<std::uint64_t, ListSnapshot> snapshots_;
  std::uint64_t next_snapshot_ = 1;
  std::vector<std::shared_ptr<Watcher>> watchers_;
  std::chrono::milliseconds response_delay_{0};
  std::map<std::string, std::size_t, std::less<>> list_requests_;
  std::map<std::string, std::vector<std::string>, std::less<>> watch_versions_;
  std::size_t unauthorized_ = 0;
  std::size_t received_ = 0;
};

}  // namespace meshward::test_support
