#include "webhook/cluster/kube/reflector.h"

#include <spdlog/spdlog.h>

#include "webhook/common/json_fields.h"
#include "webhook/cluster/kube/api_discovery.h"
#include "webhook/cluster/kube/api_status.h"
#include "webhook/cluster/kube/list_page.h"
#include "webhook/cluster/kube/object_trimmer.h"
#include "webhook/cluster/kube/url_encoding.h"
#include "webhook/cluster/kube/watch_event.h"

namespace meshward::cluster::kube {
namespace {

constexpr int kNotFound = 404;

using Clock = std::chrono::steady_clock;

constexpr auto kBadObjectLogInterval = std::chrono::seconds(10);

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

Reflector::Reflector(KindCache& cache, const ApiClient& client, const StopSignal& stop, meshward::Metrics& metrics,
                     const ReflectorOptions& options)
    : cache_(cache),
      kind_(cache.kind()),
      label_(cache.requirement().name()),
      client_(client),
      stop_(stop),
      metrics_(metrics),
      options_(options),
      backoff_(options.backoff),
      random_(std::random_device{}()) {}

void Reflector::run() {
  while (!stop_.requested()) {
    const std::optional<std::string> version = servedVersion();
    if (!version) {
      backOff();
      continue;
    }
    if (version->empty()) {
      markNotServed();
      stop_.waitFor(options_.absent_kind_recheck);
      continue;
    }
    reported_not_served_ = false;
    cache_.setServedVersion(*version);
    try {
      listAndWatch(*version);
    } catch (const std::exception& error) {
      recordFailure(std::string("internal error, listing again: ") + error.what());
      recordRestart(restart_reason::kError);
      backOff();
    }
  }
}

std::optional<std::string> Reflector::servedVersion() {
  if (!kind_.discovered()) {
    return std::string(kind_.core_version);
  }
  Result<std::optional<std::string>> served =
      discoverServedVersion(client_, kind_.group, kind_.resource, options_.request_timeout);
  if (!served) {
    recordFailure("discovery failed: " + served.error());
    return std::nullopt;
  }
  return served->value_or("");
}

void Reflector::markNotServed() {
  cache_.setServedVersion("");
  cache_.replaceAll(cache_.newContents());
  cache_.markSynced();
  cache_.setLastError("");
  metrics_.setClusterStateSynced(label_, true);
  publishCount();
  if (!reported_not_served_) {
    spdlog::info("cluster state: {} is not served (its CRD is not installed); looking again every {:g}s", label_,
                 std::chrono::duration<double>(options_.absent_kind_recheck).count());
    reported_not_served_ = true;
  }
}

void Reflector::listAndWatch(const std::string& version) {
  KindCache::Contents listed = cache_.newContents();
  std::string resource_version;
  const Clock::time_point start = Clock::now();
  switch (listAll(version, listed, resource_version)) {
    case ListEnd::Done:
      break;
    case ListEnd::Expired:
      recordRestart(restart_reason::kExpired);
      backOff();
      return;
    case ListEnd::NotFound:
      recordRestart(restart_reason::kNotFound);
      return;
    case ListEnd::Failed:
      backOff();
      return;
  }
  const std::size_t count = listed.size();
  cache_.replaceAll(std::move(listed));
  const bool first_sync = !cache_.synced();
  cache_.markSynced();
  cache_.setLastError("");
  metrics_.setClusterStateSynced(label_, true);
  metrics_.recordClusterStateEvent(label_);
  publishCount();
  backoff_.reset();
  spdlog::info("cluster state: {} {}: {} objects at resourceVersion {} ({} in {:.2f}s)", label_,
               first_sync ? "synced" : "listed again", count, resource_version, apiVersionOf(kind_, version),
               secondsSince(start));

  while (!stop_.requested()) {
    bool progressed = false;
    const WatchEnd end = watchOnce(version, resource_version, progressed);
    if (progressed) {
      backoff_.reset();
    }
    switch (end) {
      case WatchEnd::Stopped:
        return;
      case WatchEnd::Closed:
        recordRestart(restart_reason::kClosed);
        if (!progressed) {
          backOff();  // a server that ends watches at once must not be asked again in a tight loop
        }
        continue;
      case WatchEnd::Expired:
        recordRestart(restart_reason::kExpired);
        spdlog::info("cluster state: {} resourceVersion {} expired (410 Gone); listing again", label_,
                     resource_version);
        if (!progressed) {
          backOff();
        }
        return;
      case WatchEnd::NotFound:
        recordRestart(restart_reason::kNotFound);
        return;
      case WatchEnd::Malformed:
        recordRestart(restart_reason::kMalformed);
        backOff();
        continue;
      case WatchEnd::Failed:
        backOff();
        continue;
    }
  }
}

Reflector::ListEnd Reflector::listAll(const std::string& version, KindCache::Contents& contents,
                                      std::string& resource_version) {
  const std::string api_version = apiVersionOf(kind_, version);
  const std::string collection = collectionPath(kind_, version);
  std::string continue_token;
  do {
    std::string path = collection + "?limit=" + std::to_string(options_.page_size);
    if (!continue_token.empty()) {
      path += "&continue=" + encodeQueryValue(continue_token);
    }
    Result<ApiResponse> response = client_.get(path, options_.request_timeout);
    if (!response) {
      recordFailure("LIST failed: " + response.error());
      return ListEnd::Failed;
    }
    if (response->status == kGone) {
      spdlog::info("cluster state: {} LIST continue token expired (410 Gone); listing from the start", label_);
      return ListEnd::Expired;
    }
    if (response->status == kNotFound && kind_.discovered()) {
      return ListEnd::NotFound;
    }
    if (!response->ok()) {
      recordFailure("LIST " + collection + ": " + describeFailure(*response));
      return ListEnd::Failed;
    }
    Result<ListPage> page = parseListPage(response->body, cache_.requirement(), api_version);
    if (!page) {
      recordFailure("LIST " + collection + ": " + page.error());
      return ListEnd::Failed;
    }
    for (const nlohmann::json& item : page->items) {
      skipIfMalformed([&] { contents.add(item); });
    }
    page->items.clear();
    resource_version = std::move(page->resource_version);
    continue_token = std::move(page->continue_token);
  } while (!continue_token.empty() && !stop_.requested());
  return stop_.requested() ? ListEnd::Failed : ListEnd::Done;
}

Reflector::WatchEnd Reflector::watchOnce(const std::string& version, std::string& resource_version, bool& progressed) {
  const std::string api_version = apiVersionOf(kind_, version);
  const std::chrono::seconds timeout = nextWatchTimeout();
  const std::string path = collectionPath(kind_, version) + "?watch=true&allowWatchBookmarks=true&resourceVersion=" +
                           encodeQueryValue(resource_version) + "&timeoutSeconds=" + std::to_string(timeout.count());
  std::optional<WatchEnd> end;
  LineSplitter lines(options_.max_event_bytes);
  const auto on_line = [&](std::string_view line) {
    Result<WatchEvent> event = parseWatchEvent(line);
    if (!event) {
      spdlog::warn("cluster state: {} watch: malformed event ({}); watching again from resourceVersion {}", label_,
                   event.error(), resource_version);
      end = WatchEnd::Malformed;
      return false;
    }
    if (event->type == WatchEventType::Error) {
      if (event->error_code == kGone) {
        end = WatchEnd::Expired;
      } else {
        recordFailure("watch ERROR event: " + event->error_message);
        recordRestart(restart_reason::kError);
        end = WatchEnd::Failed;
      }
      return false;
    }
    applyEvent(*event, api_version, resource_version);
    progressed = true;
    return true;
  };
  const auto on_body = [&](std::string_view bytes) {
    if (std::optional<Error> failed = lines.feed(bytes, on_line)) {
      spdlog::warn("cluster state: {} watch: {}; watching again from resourceVersion {}", label_, failed->message,
                   resource_version);
      end = WatchEnd::Malformed;
    }
    return !end.has_value() && !stop_.requested();
  };
  Result<ApiResponse> response = client_.stream(path, timeout + options_.watch_idle_grace, on_body);
  if (stop_.requested()) {
    return WatchEnd::Stopped;
  }
  if (end) {
    return *end;
  }
  if (!response) {
    recordFailure("WATCH failed: " + response.error());
    recordRestart(restart_reason::kConnection);
    return WatchEnd::Failed;
  }
  if (response->status == kGone) {
    return WatchEnd::Expired;
  }
  if (response->status == kNotFound && kind_.discovered()) {
    return WatchEnd::NotFound;
  }
  if (!response->ok()) {
    recordFailure("WATCH " + collectionPath(kind_, version) + ": " + describeFailure(*response));
    recordRestart(restart_reason::kError);
    return WatchEnd::Failed;
  }
  return WatchEnd::Closed;
}

void Reflector::applyEvent(WatchEvent& event, const std::string& api_version, std::string& resource_version) {
  switch (event.type) {
    case WatchEventType::Added:
    case WatchEventType::Modified:
      skipIfMalformed([&] { cache_.upsert(trimObject(cache_.requirement(), api_version, std::move(event.object))); });
      break;
    case WatchEventType::Deleted: {
      const nlohmann::json* metadata = meshward::objectMember(&event.object, "metadata");
      cache_.remove(meshward::stringMember(metadata, "namespace").value_or(""),
                    meshward::stringMember(metadata, "name").value_or(""));
      break;
    }
    case WatchEventType::Bookmark:
    case WatchEventType::Error:
      break;
  }
  resource_version = std::move(event.resource_version);
  metrics_.recordClusterStateEvent(label_);
  if (event.type != WatchEventType::Bookmark) {
    publishCount();
  }
}

template <typename Apply>
void Reflector::skipIfMalformed(Apply&& apply) {
  try {
    apply();
  } catch (const std::exception& error) {
    metrics_.recordBadObject(label_);
    const auto now = Clock::now();
    if (now - last_bad_object_log_ >= kBadObjectLogInterval) {
      last_bad_object_log_ = now;
      spdlog::warn("cluster state: {}: skipped an object that could not be cached ({}); "
                   "meshward_cluster_state_bad_objects_total counts them",
                   label_, error.what());
    }
  }
}

void Reflector::recordFailure(const std::string& error) {
  if (stop_.requested()) {
    return;
  }
  spdlog::warn("cluster state: {}: {}", label_, error);
  cache_.setLastError(error);
}

void Reflector::recordRestart(std::string_view reason) { metrics_.recordWatchRestart(label_, reason); }

void Reflector::publishCount() { metrics_.setClusterStateObjects(label_, cache_.size()); }

bool Reflector::backOff() { return !stop_.waitFor(backoff_.next()); }

std::chrono::seconds Reflector::nextWatchTimeout() {
  const long long low = options_.watch_timeout_min.count();
  const long long high = std::max(low, static_cast<long long>(options_.watch_timeout_max.count()));
  std::uniform_int_distribution<long long> pick(low, high);
  return std::chrono::seconds(pick(random_));
}

}  // namespace meshward::cluster::kube
