#include "test/support/fake_kube_apiserver.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include <sys/socket.h>

#include <openssl/evp.h>

#include "webhook/server/self_signed.h"
#include "webhook/common/tls_key_pair.h"

namespace meshward::test_support {
namespace {

using json = nlohmann::json;

constexpr auto kWatchPoll = std::chrono::milliseconds(20);
constexpr std::size_t kDefaultPageSize = 500;
constexpr std::size_t kMaxPageSize = 5000;

std::string resourceKey(std::string_view group, std::string_view resource) {
  return std::string(group) + "/" + std::string(resource);
}

std::string apiVersionOf(std::string_view group, std::string_view version) {
  return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
}

json status(int code, std::string_view reason, std::string_view message) {
  return {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
          {"status", "Failure"}, {"message", message}, {"reason", reason},
          {"code", code}};
}

void answerStatus(httplib::Response& response, int code, std::string_view reason, std::string_view message) {
  response.status = code;
  response.set_content(status(code, reason, message).dump(), "application/json");
}

void answerJson(httplib::Response& response, const json& document) {
  response.status = 200;
  response.set_content(document.dump(), "application/json");
}

std::uint64_t parseNumber(const std::string& text, std::uint64_t fallback) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty() ? value : fallback;
}

// Kubernetes' version priority: GA before beta before alpha, higher numbers first, then anything else.
std::tuple<int, int, int> versionPriority(const std::string& version) {
  int major = 0;
  int minor = 0;
  const char* text = version.c_str();
  if (version.size() < 2 || version[0] != 'v' || std::isdigit(static_cast<unsigned char>(version[1])) == 0) {
    return {3, 0, 0};
  }
  const char* end = text + version.size();
  auto [after_major, major_error] = std::from_chars(text + 1, end, major);
  if (major_error != std::errc()) {
    return {3, 0, 0};
  }
  const std::string_view rest(after_major, static_cast<std::size_t>(end - after_major));
  if (rest.empty()) {
    return {0, -major, 0};
  }
  const int stability = rest.substr(0, 4) == "beta" ? 1 : rest.substr(0, 5) == "alpha" ? 2 : 3;
  if (stability == 3) {
    return {3, 0, 0};
  }
  const std::string_view number = rest.substr(stability == 1 ? 4 : 5);
  std::from_chars(number.data(), number.data() + number.size(), minor);
  return {stability, -major, -minor};
}

std::vector<std::string> sortedVersions(std::vector<std::string> versions) {
  std::sort(versions.begin(), versions.end(), [](const std::string& a, const std::string& b) {
    const auto left = versionPriority(a);
    const auto right = versionPriority(b);
    return left != right ? left < right : a < b;
  });
  versions.erase(std::unique(versions.begin(), versions.end()), versions.end());
  return versions;
}

std::string base64(std::string_view bytes) {
  std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return encoded;
}

std::string lowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::vector<FakeKind> coreKinds() {
  return {{"", {"v1"}, "Namespace", "namespaces", false},
          {"", {"v1"}, "Pod", "pods", true},
          {"", {"v1"}, "Service", "services", true},
          {"admissionregistration.k8s.io", {"v1"}, "MutatingWebhookConfiguration", "mutatingwebhookconfigurations",
           false}};
}

std::vector<FakeKind> istioKinds() {
  const std::vector<std::string> networking = {"v1", "v1beta1", "v1alpha3"};
  const std::vector<std::string> security = {"v1", "v1beta1"};
  return {{"networking.istio.io", networking, "DestinationRule", "destinationrules", true},
          {"networking.istio.io", networking, "Gateway", "gateways", true},
          {"networking.istio.io", networking, "Sidecar", "sidecars", true},
          {"networking.istio.io", networking, "VirtualService", "virtualservices", true},
          {"security.istio.io", security, "AuthorizationPolicy", "authorizationpolicies", true},
          {"security.istio.io", security, "PeerAuthentication", "peerauthentications", true},
          // Istio binds VirtualServices to Gateway API Gateways too.
          {"gateway.networking.k8s.io", {"v1", "v1beta1"}, "Gateway", "gateways", true}};
}

FakeKind kindOfCrd(const json& crd) {
  if (!crd.is_object() || crd.value("kind", "") != "CustomResourceDefinition") {
    throw std::runtime_error("not a CustomResourceDefinition");
  }
  const json& spec = crd.at("spec");
  FakeKind kind;
  kind.group = spec.at("group").get<std::string>();
  kind.kind = spec.at("names").at("kind").get<std::string>();
  kind.resource = spec.at("names").at("plural").get<std::string>();
  kind.namespaced = spec.value("scope", "Namespaced") == "Namespaced";
  for (const json& version : spec.at("versions")) {
    if (version.value("served", false)) {
      kind.versions.push_back(version.at("name").get<std::string>());
    }
  }
  return kind;
}

FakeKubeApiServer::FakeKubeApiServer() : FakeKubeApiServer(Options{}) {}

FakeKubeApiServer::FakeKubeApiServer(Options options) : options_(std::move(options)) {
  tokens_.insert(options_.tokens.begin(), options_.tokens.end());
  std::vector<FakeKind> known = coreKinds();
  const std::vector<FakeKind> istio = istioKinds();
  known.insert(known.end(), istio.begin(), istio.end());
  for (const FakeKind& kind : known) {
    resource_of_kind_[{kind.group, kind.kind}] = resourceKey(kind.group, kind.resource);
  }
  kinds_ = coreKinds();
  if (options_.serve_istio) {
    kinds_.insert(kinds_.end(), istio.begin(), istio.end());
  }

  server::SelfSignedOptions certificate_options;
  certificate_options.dns_names = {"localhost"};
  certificate_options.ip_addresses = {"127.0.0.1"};
  auto generated = server::generateSelfSigned(certificate_options);
  if (!generated) {
    throw std::runtime_error(generated.error());
  }
  ca_pem_ = generated->ca_pem;
  auto pair = meshward::parseKeyPair(generated->cert_pem, generated->key_pem, "fake API server");
  if (!pair) {
    throw std::runtime_error(pair.error());
  }
  server_ = std::make_unique<httplib::SSLServer>((*pair)->certificate.get(), (*pair)->private_key.get());
  if (!server_->is_valid()) {
    throw std::runtime_error("fake API server: TLS setup failed");
  }
  const std::size_t workers = options_.worker_threads;
  server_->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_max_count(1);
  registerRoutes();
  int listening_socket = -1;
  server_->set_socket_options([&listening_socket](socket_t socket) {
    int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listening_socket = socket;
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0 || listening_socket < 0) {
    throw std::runtime_error("fake API server: cannot listen on 127.0.0.1");
  }
  // cpp-httplib listens with a backlog of 5; every reflector connecting at once would overflow
  // it, and a dropped SYN costs a one-second retransmit.
  ::listen(listening_socket, SOMAXCONN);
  listener_ = std::thread([this] { server_->listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

FakeKubeApiServer::~FakeKubeApiServer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  server_->stop();
  listener_.join();
}

std::string FakeKubeApiServer::url() const { return "https://127.0.0.1:" + std::to_string(port_); }

cluster::kube::ConnectionConfig FakeKubeApiServer::connection(const std::string& token) const {
  cluster::kube::ConnectionConfig connection;
  connection.server.host = "127.0.0.1";
  connection.server.port = port_;
  connection.ca_pem = ca_pem_;
  connection.token = token;
  connection.description = "fake API server";
  return connection;
}

std::string FakeKubeApiServer::kubeconfig(const std::string& token) const {
  json config = {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters", json::array({{{"name", "fake"},
                                 {"cluster", {{"server", url()}, {"certificate-authority-data", base64(ca_pem_)}}}}})},
      {"users", json::array({{{"name", "meshward"}, {"user", {{"token", token}}}}})},
      {"contexts", json::array({{{"name", "fake"}, {"context", {{"cluster", "fake"}, {"user", "meshward"}}}}})},
      {"current-context", "fake"}};
  return config.dump(2);  // JSON is YAML
}

void FakeKubeApiServer::setTokens(std::vector<std::string> tokens) {
  std::lock_guard lock(mutex_);
  tokens_.clear();
  tokens_.insert(tokens.begin(), tokens.end());
}

void FakeKubeApiServer::serveKind(const FakeKind& kind) {
  std::lock_guard lock(mutex_);
  std::erase_if(kinds_, [&](const FakeKind& served) { return served.group == kind.group && served.kind == kind.kind; });
  kinds_.push_back(kind);
  resource_of_kind_[{kind.group, kind.kind}] = resourceKey(kind.group, kind.resource);
}

void FakeKubeApiServer::stopServingKind(std::string_view group, std::string_view kind) {
  {
    std::lock_guard lock(mutex_);
    const auto found = std::find_if(kinds_.begin(), kinds_.end(), [&](const FakeKind& served) {
      return served.group == group && served.kind == kind;
    });
    if (found == kinds_.end()) {
      return;
    }
    const std::string key = resourceKey(found->group, found->resource);
    kinds_.erase(found);
    objects_.erase(key);
    for (const std::shared_ptr<Watcher>& watcher : watchers_) {
      if (watcher->resource_key == key) {
        watcher->end_cleanly = true;
      }
    }
  }
  changed_.notify_all();
}

std::string FakeKubeApiServer::apply(json object, Delivery delivery) {
  std::string version;
  {
    std::lock_guard lock(mutex_);
    version = applyLocked(std::move(object), delivery);
  }
  changed_.notify_all();
  return version;
}

void FakeKubeApiServer::seed(const std::vector<json>& objects) {
  std::lock_guard lock(mutex_);
  for (const json& object : objects) {
    applyLocked(object, Delivery::Silent);
  }
}

std::string FakeKubeApiServer::applyLocked(json object, Delivery delivery) {
  const std::string api_version = object.at("apiVersion").get<std::string>();
  const std::string kind = object.at("kind").get<std::string>();
  const std::size_t slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  const auto known = resource_of_kind_.find({group, kind});
  const std::string key = known != resource_of_kind_.end() ? known->second : resourceKey(group, lowerCase(kind) + "s");
  json& metadata = object.at("metadata");
  const std::string name = metadata.at("name").get<std::string>();
  std::string namespace_name = metadata.value("namespace", "");
  bool cluster_scoped = kind == "Namespace";
  for (const FakeKind& served : kinds_) {
    if (served.group == group && served.kind == kind) {
      cluster_scoped = !served.namespaced;
    }
  }
  if (cluster_scoped) {
    namespace_name.clear();
    metadata.erase("namespace");
  } else if (namespace_name.empty()) {
    namespace_name = "default";
    metadata["namespace"] = namespace_name;
  }
  const std::uint64_t version = ++resource_version_;
  metadata["resourceVersion"] = std::to_string(version);
  if (!metadata.contains("uid")) {
    metadata["uid"] = "uid-" + std::to_string(version);
  }
  object.erase("apiVersion");
  object.erase("kind");
  auto stored = std::make_shared<const StoredObject>(StoredObject{namespace_name, name, object.dump()});
  ObjectMap& objects = objects_[key];
  const auto existing = objects.find({namespace_name, name});
  const std::string type = existing == objects.end() ? "ADDED" : "MODIFIED";
  objects[{namespace_name, name}] = stored;
  recordLocked(key, type, std::move(stored), delivery);
  return std::to_string(version);
}

bool FakeKubeApiServer::remove(std::string_view group, std::string_view kind, std::string_view namespace_name,
                               std::string_view name, Delivery delivery) {
  {
    std::lock_guard lock(mutex_);
    const auto known = resource_of_kind_.find({std::string(group), std::string(kind)});
    if (known == resource_of_kind_.end()) {
      return false;
    }
    ObjectMap& objects = objects_[known->second];
    const auto found = objects.find({std::string(namespace_name), std::string(name)});
    if (found == objects.end()) {
      return false;
    }
    json object = json::parse(found->second->text);
    objects.erase(found);
    const std::uint64_t version = ++resource_version_;
    object["metadata"]["resourceVersion"] = std::to_string(version);
    auto stored = std::make_shared<const StoredObject>(
        StoredObject{std::string(namespace_name), std::string(name), object.dump()});
    recordLocked(known->second, "DELETED", std::move(stored), delivery);
  }
  changed_.notify_all();
  return true;
}

void FakeKubeApiServer::recordLocked(const std::string& resource_key, const std::string& type,
                                     std::shared_ptr<const StoredObject> object, Delivery delivery) {
  if (delivery == Delivery::Silent) {
    return;
  }
  HistoryEvent event{resource_version_, resource_key, type, std::move(object)};
  for (const std::shared_ptr<Watcher>& watcher : watchers_) {
    if (watcher->resource_key == resource_key) {
      watcher->lines.push_back(eventLine(*watcher, event));
    }
  }
  history_.push_back(std::move(event));
}

std::string FakeKubeApiServer::eventLine(const Watcher& watcher, const HistoryEvent& event) const {
  const std::string& text = event.object->text;
  return R"({"type":")" + event.type + R"(","object":{"apiVersion":")" + watcher.api_version + R"(","kind":")" +
         watcher.kind + "\"," + text.substr(1) + "}\n";
}

void FakeKubeApiServer::bookmark() {
  {
    std::lock_guard lock(mutex_);
    for (const std::shared_ptr<Watcher>& watcher : watchers_) {
      if (watcher->bookmarks) {
        watcher->lines.push_back(R"({"type":"BOOKMARK","object":{"kind":")" + watcher->kind + R"(","apiVersion":")" +
                                 watcher->api_version + R"(","metadata":{"resourceVersion":")" +
                                 std::to_string(resource_version_) + "\"}}}\n");
      }
    }
  }
  changed_.notify_all();
}

void FakeKubeApiServer::dropWatches() {
  {
    std::lock_guard lock(mutex_);
    for (const std::shared_ptr<Watcher>& watcher : watchers_) {
      watcher->drop = true;
    }
  }
  changed_.notify_all();
}

void FakeKubeApiServer::closeWatches() {
  {
    std::lock_guard lock(mutex_);
    for (const std::shared_ptr<Watcher>& watcher : watchers_) {
      watcher->end_cleanly = true;
    }
  }
  changed_.notify_all();
}

void FakeKubeApiServer::expireHistory(ExpiryStyle style) {
  {
    std::lock_guard lock(mutex_);
    compacted_ = resource_version_ + 1;
    expiry_style_ = style;
    history_.clear();
    snapshots_.clear();
    for (const std::shared_ptr<Watcher>& watcher : watchers_) {
      if (style == ExpiryStyle::ErrorEvent) {
        watcher->lines.push_back(R"({"type":"ERROR","object":)" +
                                 status(410, "Expired", "too old resource version").dump() + "}\n");
        watcher->end_cleanly = true;
      } else {
        watcher->drop = true;
      }
    }
  }
  changed_.notify_all();
}

void FakeKubeApiServer::sendRawLine(std::string_view resource, std::string_view line) {
  {
    std::lock_guard lock(mutex_);
    for (const std::shared_ptr<Watcher>& watcher : watchers_) {
      const std::string_view key = watcher->resource_key;
      if (key.substr(key.find('/') + 1) == resource) {
        watcher->lines.push_back(std::string(line) + "\n");
      }
    }
  }
  changed_.notify_all();
}

void FakeKubeApiServer::setResponseDelay(std::chrono::milliseconds delay) {
  {
    std::lock_guard lock(mutex_);
    response_delay_ = delay;
  }
  changed_.notify_all();
}

std::size_t FakeKubeApiServer::listRequests(std::string_view resource) const {
  std::lock_guard lock(mutex_);
  const auto found = list_requests_.find(resource);
  return found == list_requests_.end() ? 0 : found->second;
}

std::size_t FakeKubeApiServer::watchRequests(std::string_view resource) const {
  std::lock_guard lock(mutex_);
  const auto found = watch_versions_.find(resource);
  return found == watch_versions_.end() ? 0 : found->second.size();
}

std::vector<std::string> FakeKubeApiServer::watchResourceVersions(std::string_view resource) const {
  std::lock_guard lock(mutex_);
  const auto found = watch_versions_.find(resource);
  return found == watch_versions_.end() ? std::vector<std::string>() : found->second;
}

std::size_t FakeKubeApiServer::openWatches(std::string_view resource) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(watchers_.begin(), watchers_.end(), [&](const auto& watcher) {
    const std::string_view key = watcher->resource_key;
    return resource.empty() || key.substr(key.find('/') + 1) == resource;
  }));
}

std::size_t FakeKubeApiServer::unauthorizedRequests() const {
  std::lock_guard lock(mutex_);
  return unauthorized_;
}

std::size_t FakeKubeApiServer::requestsReceived() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::string FakeKubeApiServer::resourceVersion() const {
  std::lock_guard lock(mutex_);
  return std::to_string(resource_version_);
}

// --- HTTP side ---------------------------------------------------------------------------------

void FakeKubeApiServer::delay() {
  std::unique_lock lock(mutex_);
  ++received_;
  const auto until = std::chrono::steady_clock::now() + response_delay_;
  changed_.wait_until(lock, until, [this] { return stopping_ || response_delay_.count() == 0; });
}

bool FakeKubeApiServer::authorized(const httplib::Request& request, httplib::Response& response) {
  const std::string header = request.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  {
    std::lock_guard lock(mutex_);
    if (header.substr(0, kBearer.size()) == kBearer && tokens_.count(header.substr(kBearer.size())) > 0) {
      return true;
    }
    ++unauthorized_;
  }
  answerStatus(response, 401, "Unauthorized", "Unauthorized");
  return false;
}

const FakeKind* FakeKubeApiServer::servedKindLocked(std::string_view group, std::string_view resource) const {
  for (const FakeKind& kind : kinds_) {
    if (kind.group == group && kind.resource == resource) {
      return &kind;
    }
  }
  return nullptr;
}

void FakeKubeApiServer::registerRoutes() {
  server_->Get("/api", [this](const httplib::Request& request, httplib::Response& response) {
    if (authorized(request, response)) {
      answerJson(response, {{"kind", "APIVersions"}, {"versions", {"v1"}}});
    }
  });
  server_->Get("/api/v1", [this](const httplib::Request& request, httplib::Response& response) {
    if (!authorized(request, response)) {
      return;
    }
    json resources = json::array();
    {
      std::lock_guard lock(mutex_);
      for (const FakeKind& kind : kinds_) {
        if (kind.group.empty()) {
          resources.push_back({{"name", kind.resource},
                               {"namespaced", kind.namespaced},
                               {"kind", kind.kind},
                               {"verbs", {"get", "list", "watch"}}});
        }
      }
    }
    answerJson(response, {{"kind", "APIResourceList"}, {"groupVersion", "v1"}, {"resources", resources}});
  });
  server_->Get(R"(/api/v1/([a-z]+))", [this](const httplib::Request& request, httplib::Response& response) {
    serveCollection("", "v1", request.matches[1], request, response);
  });
  // One object by name (what Helm's lookup asks for), namespaced or cluster-scoped.
  server_->Get(R"(/api/v1/namespaces/([^/]+)/([a-z]+)/([^/]+))",
               [this](const httplib::Request& request, httplib::Response& response) {
                 serveObject("", "v1", request.matches[2], request.matches[1], request.matches[3], request, response);
               });
  server_->Get(R"(/api/v1/([a-z]+)/([^/]+))", [this](const httplib::Request& request, httplib::Response& response) {
    serveObject("", "v1", request.matches[1], "", request.matches[2], request, response);
  });
  server_->Get(R"(/apis/([^/]+)/([^/]+)/namespaces/([^/]+)/([a-z]+)/([^/]+))",
               [this](const httplib::Request& request, httplib::Response& response) {
                 serveObject(request.matches[1], request.matches[2], request.matches[4], request.matches[3],
                             request.matches[5], request, response);
               });
  server_->Get("/apis", [this](const httplib::Request& request, httplib::Response& response) {
    if (!authorized(request, response)) {
      return;
    }
    std::map<std::string, std::vector<std::string>> groups;
    {
      std::lock_guard lock(mutex_);
      for (const FakeKind& kind : kinds_) {
        if (!kind.group.empty()) {
          groups[kind.group].insert(groups[kind.group].end(), kind.versions.begin(), kind.versions.end());
        }
      }
    }
    json list = json::array();
    for (auto& [group, versions] : groups) {
      json entries = json::array();
      for (const std::string& version : sortedVersions(versions)) {
        entries.push_back({{"groupVersion", group + "/" + version}, {"version", version}});
      }
      list.push_back({{"name", group}, {"versions", entries}, {"preferredVersion", entries.at(0)}});
    }
    answerJson(response, {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", list}});
  });
  server_->Get(R"(/apis/([^/]+))", [this](const httplib::Request& request, httplib::Response& response) {
    delay();
    if (!authorized(request, response)) {
      return;
    }
    const std::string group = request.matches[1];
    std::vector<std::string> versions;
    {
      std::lock_guard lock(mutex_);
      for (const FakeKind& kind : kinds_) {
        if (kind.group == group) {
          versions.insert(versions.end(), kind.versions.begin(), kind.versions.end());
        }
      }
    }
    if (versions.empty()) {
      answerStatus(response, 404, "NotFound", "the server could not find the requested resource");
      return;
    }
    json entries = json::array();
    for (const std::string& version : sortedVersions(versions)) {
      entries.push_back({{"groupVersion", group + "/" + version}, {"version", version}});
    }
    answerJson(response, {{"kind", "APIGroup"},
                          {"apiVersion", "v1"},
                          {"name", group},
                          {"versions", entries},
                          {"preferredVersion", entries.at(0)}});
  });
  server_->Get(R"(/apis/([^/]+)/([^/]+))", [this](const httplib::Request& request, httplib::Response& response) {
    delay();
    if (!authorized(request, response)) {
      return;
    }
    const std::string group = request.matches[1];
    const std::string version = request.matches[2];
    json resources = json::array();
    {
      std::lock_guard lock(mutex_);
      for (const FakeKind& kind : kinds_) {
        if (kind.group == group &&
            std::find(kind.versions.begin(), kind.versions.end(), version) != kind.versions.end()) {
          resources.push_back(
              {{"name", kind.resource},
               {"singularName", lowerCase(kind.kind)},
               {"namespaced", kind.namespaced},
               {"kind", kind.kind},
               {"verbs", {"delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"}}});
        }
      }
    }
    if (resources.empty()) {
      answerStatus(response, 404, "NotFound", "the server could not find the requested resource");
      return;
    }
    answerJson(response, {{"kind", "APIResourceList"},
                          {"apiVersion", "v1"},
                          {"groupVersion", group + "/" + version},
                          {"resources", resources}});
  });
  server_->Get(R"(/apis/([^/]+)/([^/]+)/([a-z]+))",
               [this](const httplib::Request& request, httplib::Response& response) {
                 serveCollection(request.matches[1], request.matches[2], request.matches[3], request, response);
               });
}

void FakeKubeApiServer::serveCollection(const std::string& group, const std::string& version,
                                        const std::string& resource, const httplib::Request& request,
                                        httplib::Response& response) {
  delay();
  if (!authorized(request, response)) {
    return;
  }
  FakeKind kind;
  {
    std::lock_guard lock(mutex_);
    const FakeKind* served = servedKindLocked(group, resource);
    if (served == nullptr ||
        std::find(served->versions.begin(), served->versions.end(), version) == served->versions.end()) {
      answerStatus(response, 404, "NotFound", "the server could not find the requested resource");
      return;
    }
    kind = *served;
  }
  if (request.get_param_value("watch") == "true" || request.get_param_value("watch") == "1") {
    serveWatch(kind, version, request, response);
  } else {
    serveList(kind, request, response);
  }
}

void FakeKubeApiServer::serveObject(const std::string& group, const std::string& version, const std::string& resource,
                                    const std::string& namespace_name, const std::string& name,
                                    const httplib::Request& request, httplib::Response& response) {
  delay();
  if (!authorized(request, response)) {
    return;
  }
  std::string text;
  std::string kind_name;
  {
    std::lock_guard lock(mutex_);
    const FakeKind* served = servedKindLocked(group, resource);
    if (served == nullptr ||
        std::find(served->versions.begin(), served->versions.end(), version) == served->versions.end()) {
      answerStatus(response, 404, "NotFound", "the server could not find the requested resource");
      return;
    }
    kind_name = served->kind;
    const auto objects = objects_.find(resourceKey(group, resource));
    if (objects != objects_.end()) {
      const auto found = objects->second.find({namespace_name, name});
      if (found != objects->second.end()) {
        text = found->second->text;
      }
    }
  }
  if (text.empty()) {
    answerStatus(response, 404, "NotFound", resource + " \"" + name + "\" not found");
    return;
  }
  json object = json::parse(text);
  object["apiVersion"] = group.empty() ? version : group + "/" + version;
  object["kind"] = kind_name;
  answerJson(response, object);
}

void FakeKubeApiServer::serveList(const FakeKind& kind, const httplib::Request& request, httplib::Response& response) {
  const std::size_t limit =
      std::min<std::size_t>(parseNumber(request.get_param_value("limit"), kDefaultPageSize), kMaxPageSize);
  const std::string key = resourceKey(kind.group, kind.resource);
  std::uint64_t snapshot_id = 0;
  std::size_t start = 0;
  std::shared_ptr<const std::vector<std::shared_ptr<const StoredObject>>> items;
  std::uint64_t list_version = 0;
  std::vector<std::shared_ptr<const StoredObject>> page;
  bool more = false;
  {
    std::lock_guard lock(mutex_);
    ++list_requests_[kind.resource];
    const std::string token = request.get_param_value("continue");
    if (token.empty()) {
      ListSnapshot snapshot{resource_version_, {}};
      for (const auto& [name, object] : objects_[key]) {
        snapshot.items.push_back(object);
      }
      snapshot_id = next_snapshot_++;
      snapshots_[snapshot_id] = std::move(snapshot);
    } else {
      // "<snapshot>:<offset>/+=" (see below).
      const std::size_t colon = token.find(':');
      const std::size_t slash = token.find('/');
      snapshot_id = parseNumber(token.substr(0, colon), 0);
      start = colon == std::string::npos ? 0 : parseNumber(token.substr(colon + 1, slash - colon - 1), 0);
      if (snapshots_.count(snapshot_id) == 0) {
        answerStatus(response, 410, "Expired",
                     "The provided continue parameter is too old to display a consistent list result. You can start "
                     "a new list without the continue parameter.");
        return;
      }
    }
    ListSnapshot& snapshot = snapshots_[snapshot_id];
    list_version = snapshot.resource_version;
    const std::size_t end = std::min(snapshot.items.size(), start + (limit == 0 ? snapshot.items.size() : limit));
    page.assign(snapshot.items.begin() + static_cast<std::ptrdiff_t>(std::min(start, end)),
                snapshot.items.begin() + static_cast<std::ptrdiff_t>(end));
    more = end < snapshot.items.size();
    if (!more) {
      snapshots_.erase(snapshot_id);
    }
    start = end;
  }
  std::string body = R"({"kind":")" + kind.kind + R"(List","apiVersion":")" +
                     apiVersionOf(kind.group, kind.versions.front()) + R"(","metadata":{"resourceVersion":")" +
                     std::to_string(list_version) + "\"";
  if (more) {
    // Opaque to clients, and with characters that need URL encoding, like the real (base64) tokens.
    body += R"(,"continue":")" + std::to_string(snapshot_id) + ":" + std::to_string(start) + "/+=\"";
  }
  body += R"(},"items":[)";
  for (std::size_t i = 0; i < page.size(); ++i) {
    if (i > 0) {
      body += ",";
    }
    body += page[i]->text;
  }
  body += "]}";
  response.status = 200;
  response.set_content(std::move(body), "application/json");
}

void FakeKubeApiServer::serveWatch(const FakeKind& kind, const std::string& version, const httplib::Request& request,
                                   httplib::Response& response) {
  const std::string requested = request.get_param_value("resourceVersion");
  auto watcher = std::make_shared<Watcher>();
  watcher->resource_key = resourceKey(kind.group, kind.resource);
  watcher->api_version = apiVersionOf(kind.group, version);
  watcher->kind = kind.kind;
  watcher->bookmarks = request.get_param_value("allowWatchBookmarks") == "true";
  const std::uint64_t timeout_seconds = parseNumber(request.get_param_value("timeoutSeconds"), 1800);
  watcher->deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  {
    std::lock_guard lock(mutex_);
    watch_versions_[kind.resource].push_back(requested);
    if (servedKindLocked(kind.group, kind.resource) == nullptr) {
      answerStatus(response, 404, "NotFound", "the server could not find the requested resource");
      return;  // its CRD went away since the request was routed
    }
    const std::uint64_t from = parseNumber(requested, 0);
    if (from + 1 < compacted_) {
      if (expiry_style_ == ExpiryStyle::HttpGone) {
        answerStatus(response, 410, "Expired", "too old resource version: " + requested);
        return;
      }
      watcher->lines.push_back(R"({"type":"ERROR","object":)" +
                               status(410, "Expired", "too old resource version: " + requested).dump() + "}\n");
      watcher->end_cleanly = true;
    } else {
      for (const HistoryEvent& event : history_) {
        if (event.resource_version > from && event.resource_key == watcher->resource_key) {
          watcher->lines.push_back(eventLine(*watcher, event));
        }
      }
    }
    watchers_.push_back(watcher);
  }
  response.status = 200;
  response.set_chunked_content_provider(
      "application/json",
      [this, watcher](std::size_t, httplib::DataSink& sink) {
        std::deque<std::string> lines;
        bool end = false;
        {
          std::unique_lock lock(mutex_);
          changed_.wait_for(lock, kWatchPoll, [&] {
            return stopping_ || watcher->drop || watcher->end_cleanly || !watcher->lines.empty();
          });
          if (stopping_ || watcher->drop) {
            return false;
          }
          lines.swap(watcher->lines);
          end = watcher->end_cleanly || std::chrono::steady_clock::now() >= watcher->deadline;
        }
        for (const std::string& line : lines) {
          if (!sink.write(line.data(), line.size())) {
            return false;
          }
        }
        if (end) {
          sink.done();
        }
        return true;
      },
      [this, watcher](bool) { unregister(watcher); });
}

void FakeKubeApiServer::unregister(const std::shared_ptr<Watcher>& watcher) {
  std::lock_guard lock(mutex_);
  std::erase(watchers_, watcher);
}

}  // namespace meshward::test_support
