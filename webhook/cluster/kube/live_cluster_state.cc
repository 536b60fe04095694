#include "webhook/cluster/kube/live_cluster_state.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "webhook/common/json_fields.h"
#include "webhook/cluster/namespace_info.h"

namespace meshward::cluster::kube {
Result<std::unique_ptr<LiveClusterState>> LiveClusterState::create(const ConnectionConfig& connection,
                                                                   Metrics& metrics,
                                                                   const ClusterRequirements& requirements,
                                                                   const LiveClusterStateOptions& options) {
  std::unique_ptr<LiveClusterState> state(new LiveClusterState());
  Result<std::unique_ptr<ApiClient>> client = ApiClient::create(connection, state->stop_, options.client);
  if (!client) {
    return Error{client.error()};
  }
  state->client_ = std::move(*client);
  state->description_ = connection.description;
  for (const KindRequirement& requirement : requirements.kinds) {
    state->caches_.push_back(std::make_unique<KindCache>(requirement));
    metrics.setClusterStateSynced(requirement.name(), false);
    metrics.setClusterStateObjects(requirement.name(), 0);
  }
  for (const std::unique_ptr<KindCache>& cache : state->caches_) {
    state->reflectors_.push_back(
        std::make_unique<Reflector>(*cache, *state->client_, state->stop_, metrics, options.reflector));
  }
  return state;
}

Result<std::unique_ptr<LiveClusterState>> LiveClusterState::start(const ConnectionConfig& connection,
                                                                  Metrics& metrics,
                                                                  const ClusterRequirements& requirements,
                                                                  const LiveClusterStateOptions& options) {
  Result<std::unique_ptr<LiveClusterState>> state = create(connection, metrics, requirements, options);
  if (state) {
    (*state)->startWatching();
  }
  return state;
}

void LiveClusterState::startWatching() {
  std::lock_guard lock(threads_mutex_);
  if (!threads_.empty() || stop_.requested()) {
    return;
  }
  spdlog::info("cluster state: watching {} kinds at {} ({})", caches_.size(), client_->serverUrl(), description_);
  for (const std::unique_ptr<Reflector>& reflector : reflectors_) {
    threads_.emplace_back([&running = *reflector] { running.run(); });
  }
}

LiveClusterState::~LiveClusterState() { stop(); }

void LiveClusterState::stop() {
  stop_.request();
  std::lock_guard lock(threads_mutex_);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) {
      thread.join();
    }
  }
}

bool LiveClusterState::ready() const {
  return std::all_of(caches_.begin(), caches_.end(),
                     [](const std::unique_ptr<KindCache>& cache) { return cache->synced(); });
}

const KindCache* LiveClusterState::cacheFor(std::string_view group, std::string_view kind) const {
  for (const std::unique_ptr<KindCache>& cache : caches_) {
    if (cache->kind().group == group && cache->kind().kind == kind) {
      return cache.get();
    }
  }
  return nullptr;
}

std::optional<NamespaceInfo> LiveClusterState::findNamespace(std::string_view name) const {
  const KindCache* namespaces = cacheFor("", "Namespace");
  const SharedObject object = namespaces == nullptr ? nullptr : namespaces->find("", name);
  if (object == nullptr) {
    return std::nullopt;
  }
  return namespaceInfoOf(name, *object);
}

bool LiveClusterState::tracksKind(std::string_view group, std::string_view kind) const {
  return cacheFor(group, kind) != nullptr;
}

std::shared_ptr<const nlohmann::json> LiveClusterState::findObject(std::string_view group, std::string_view kind,
                                                                   std::string_view namespace_name,
                                                                   std::string_view name) const {
  const KindCache* cache = cacheFor(group, kind);
  return cache == nullptr ? nullptr : cache->find(namespace_name, name);
}

void LiveClusterState::visit(const KindCache& cache, const std::vector<SharedObject>& objects,
                             const ObjectVisitor& visitor) const {
  for (const SharedObject& object : objects) {
    const nlohmann::json* metadata = objectMember(object.get(), "metadata");
    const ObjectKey key{std::string(cache.kind().group), std::string(cache.kind().kind),
                        cache.kind().namespaced
                            ? std::string(stringMember(metadata, "namespace").value_or(""))
                            : std::string(),
                        std::string(stringMember(metadata, "name").value_or(""))};
    visitor(key, *object);
  }
}

void LiveClusterState::forEachObject(std::string_view group, std::string_view kind,
                                     const ObjectVisitor& visitor) const {
  if (const KindCache* cache = cacheFor(group, kind)) {
    visit(*cache, cache->snapshot(), visitor);
  }
}

void LiveClusterState::forEachObjectInNamespace(std::string_view group, std::string_view kind,
                                                std::string_view namespace_name, const ObjectVisitor& visitor) const {
  if (const KindCache* cache = cacheFor(group, kind)) {
    visit(*cache, cache->snapshot(namespace_name), visitor);
  }
}

bool LiveClusterState::readIndex(const IndexSpec& spec, const IndexReader& read) const {
  for (const std::unique_ptr<KindCache>& cache : caches_) {
    if (cache->readIndex(spec, read)) {
      return true;
    }
  }
  return false;
}

std::vector<KindStatus> LiveClusterState::statuses() const {
  std::vector<KindStatus> result;
  result.reserve(caches_.size());
  for (const std::unique_ptr<KindCache>& cache : caches_) {
    result.push_back(cache->status());
  }
  return result;
}

}  // namespace meshward::cluster::kube
