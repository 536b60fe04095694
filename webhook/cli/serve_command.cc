// `meshward serve`: the admission webhook. Reads the flags, loads the policy, the TLS pair (or
// generates a self-signed one), the cluster state and the audit log, serves until SIGTERM or
// SIGINT, then drains and exits 0.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "webhook/common/duration.h"
#include "policies/policy.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/audit/audit_log.h"
#include "webhook/cli/arguments.h"
#include "webhook/cli/commands.h"
#include "webhook/cluster/kube/in_cluster_config.h"
#include "webhook/cluster/kube/kubeconfig.h"
#include "webhook/cluster/kube/live_cluster_state.h"
#include "webhook/cluster/offline_cluster_state.h"
#include "webhook/server/https_server.h"
#include "webhook/server/listen_address.h"
#include "webhook/common/metrics.h"
#include "webhook/server/metrics_impl.h"
#include "webhook/server/self_signed.h"
#include "webhook/server/termination_signals.h"
#include "webhook/common/tls_key_pair.h"
#include "webhook/server/tls_reloader.h"
#include "webhook/server/webhook_server.h"

namespace meshward::cli {
namespace {

constexpr int kExitStopped = 0;
constexpr int kExitRuntimeError = 1;
constexpr int kExitUsage = 2;

constexpr const char* kServeHelp = R"(Usage: meshward serve [flags]

Serves the admission webhook over HTTPS (POST /validate, POST /mutate, GET /healthz,
GET /readyz) and Prometheus metrics over HTTP (GET /metrics). Logs go to stderr; audit
records (one JSON line per decision) go to stdout unless --audit-log is given.

  --config FILE               the policy file, reloaded when it changes (a bad edit keeps the
                              previous policy); default: the built-in policy
  --tls-cert FILE             serving certificate (PEM, leaf first, then intermediates) ...
  --tls-key FILE              ... and its key; both reloaded when they change. Without them a
                              self-signed pair is generated and its CA written to a file named
                              in the first log line
  --client-ca FILE            require client certificates signed by this CA
  --listen ADDR:PORT          HTTPS address (default 127.0.0.1:8443; [::1]:8443 for IPv6;
                              port 0 picks a free port and logs it)
  --metrics-listen ADDR:PORT  metrics address (default 127.0.0.1:9090)
  --audit-log FILE            append audit records to FILE (rotated by size)
  --audit-stdout              with --audit-log, also write audit records to stdout
  --audit-wait DURATION       longest a response waits for its audit record to be written
                              (default 100ms); past it the record stays queued and the
                              response goes out (meshward_audit_backlog)
  --audit-queue N             records queued per audit destination while it is stalled
                              (default 10000); beyond: dropped, counted and logged
                              (meshward_audit_dropped_total)
  --cluster-state DIR         manifests standing in for the cluster's objects; may be repeated
  --kubeconfig FILE           watch the cluster this kubeconfig's current context names
                              (without --cluster-state or --kubeconfig: the in-cluster service
                              account when running in a pod, else no cluster state)
  --max-request-bytes N       largest request body accepted (default 3145728; larger: 413)
  --workers N                 request worker threads (default max(8, 4 x cores))
  --request-timeout DURATION  time a connection has to deliver a whole request (default 10s)
  --reload-interval DURATION  how often files are checked for changes (default 1s)
  --log-level LEVEL           debug, info (default), warn or error

Exit status: 0 after SIGTERM/SIGINT and a clean drain; 1 when the server cannot run (an
address in use, a listener failure); 2 on a usage error or a policy, certificate, cluster
state or audit log that cannot be loaded.
)";

const std::vector<FlagSpec> kServeFlags = {
    {"--config", true, ""},
    {"--tls-cert", true, ""},
    {"--tls-key", true, ""},
    {"--client-ca", true, ""},
    {"--listen", true, ""},
    {"--metrics-listen", true, ""},
    {"--audit-log", true, ""},
    {"--audit-stdout", false, ""},
    {"--audit-wait", true, ""},
    {"--audit-queue", true, ""},
    {"--cluster-state", true, ""},
    {"--kubeconfig", true, ""},
    {"--max-request-bytes", true, ""},
    {"--workers", true, ""},
    {"--request-timeout", true, ""},
    {"--reload-interval", true, ""},
    {"--log-level", true, ""},
    {"--help", false, "-h"},
};

struct ServeConfig {
  std::string policy_file;  // empty: built-in
  std::string tls_cert;     // empty (with tls_key): self-signed
  std::string tls_key;
  std::vector<std::string> cluster_state;
  std::string kubeconfig;
  audit::AuditLogOptions audit;
  spdlog::level::level_enum log_level = spdlog::level::info;
  server::WebhookServerOptions server;
};

Result<std::size_t> parseCount(const ParsedArguments& arguments, std::string_view flag, std::size_t fallback,
                               std::size_t max) {
  const std::optional<std::string> text = arguments.value(flag);
  if (!text) {
    return fallback;
  }
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || error != std::errc() || end != text->data() + text->size() || value == 0 || value > max) {
    return Error{std::string(flag) + " must be a whole number from 1 to " + std::to_string(max) + "; got '" +
                 *text + "'"};
  }
  return value;
}

Result<std::chrono::milliseconds> parseInterval(const ParsedArguments& arguments, std::string_view flag,
                                                std::chrono::milliseconds fallback) {
  const std::optional<std::string> text = arguments.value(flag);
  if (!text) {
    return fallback;
  }
  const std::optional<double> millis = meshward::parseDurationMillis(*text);
  if (!millis || *millis < 10 || *millis > 24.0 * 3600 * 1000) {
    return Error{std::string(flag) + " must be a duration from 10ms to 24h such as 1s or 250ms; got '" + *text +
                 "'"};
  }
  return std::chrono::milliseconds(static_cast<long long>(*millis));
}

Result<server::ListenAddress> parseAddress(const ParsedArguments& arguments, std::string_view flag,
                                           std::string fallback) {
  auto address = server::parseListenAddress(arguments.valueOr(flag, std::move(fallback)));
  if (!address) {
    return Error{std::string(flag) + ": " + address.error()};
  }
  return address;
}

Result<spdlog::level::level_enum> parseLogLevel(const ParsedArguments& arguments) {
  const std::string text = arguments.valueOr("--log-level", "info");
  const std::pair<std::string_view, spdlog::level::level_enum> levels[] = {
      {"debug", spdlog::level::debug}, {"info", spdlog::level::info}, {"warn", spdlog::level::warn},
      {"error", spdlog::level::err}};
  for (const auto& [name, level] : levels) {
    if (text == name) {
      return level;
    }
  }
  return Error{"--log-level must be debug, info, warn or error; got '" + text + "'"};
}

Result<ServeConfig> serveConfigFrom(const ParsedArguments& arguments) {
  if (!arguments.positional().empty()) {
    return Error{"unexpected argument '" + arguments.positional().front() + "'"};
  }
  ServeConfig config;
  config.policy_file = arguments.valueOr("--config", "");
  config.tls_cert = arguments.valueOr("--tls-cert", "");
  config.tls_key = arguments.valueOr("--tls-key", "");
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return Error{"--tls-cert and --tls-key go together: give both, or neither for a self-signed certificate"};
  }
  config.cluster_state = arguments.values("--cluster-state");
  config.kubeconfig = arguments.valueOr("--kubeconfig", "");
  config.audit.file = arguments.valueOr("--audit-log", "");
  config.audit.to_stdout = config.audit.file.empty() || arguments.has("--audit-stdout");

  auto level = parseLogLevel(arguments);
  auto listen = parseAddress(arguments, "--listen", "127.0.0.1:8443");
  auto metrics_listen = parseAddress(arguments, "--metrics-listen", "127.0.0.1:9090");
  auto max_request_bytes = parseCount(arguments, "--max-request-bytes", 3145728, std::size_t{1} << 30);
  auto workers = parseCount(arguments, "--workers", server::workerCount(0), 1024);
  auto request_timeout = parseInterval(arguments, "--request-timeout", std::chrono::seconds(10));
  auto reload_interval = parseInterval(arguments, "--reload-interval", std::chrono::seconds(1));
  auto audit_wait = parseInterval(arguments, "--audit-wait", config.audit.max_wait);
  auto audit_queue = parseCount(arguments, "--audit-queue", config.audit.max_queued, 10'000'000);
  for (const std::string* error : {&level.error(), &listen.error(), &metrics_listen.error(),
                                   &max_request_bytes.error(), &workers.error(), &request_timeout.error(),
                                   &reload_interval.error(), &audit_wait.error(), &audit_queue.error()}) {
    if (!error->empty()) {
      return Error{*error};
    }
  }
  config.log_level = *level;
  config.audit.max_wait = *audit_wait;
  config.audit.max_queued = *audit_queue;
  config.server.https.listen = *listen;
  config.server.https.client_ca_file = arguments.valueOr("--client-ca", "");
  config.server.https.max_request_bytes = *max_request_bytes;
  config.server.https.workers = *workers;
  config.server.https.request_timeout = *request_timeout;
  config.server.metrics_listen = *metrics_listen;
  config.server.policy_file = config.policy_file;
  config.server.reload_interval = *reload_interval;
  return config;
}

void setUpLogging(spdlog::level::level_enum level) {
  auto logger = spdlog::stderr_color_mt("meshward");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

std::string temporaryDirectory() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

// Writes the generated CA where a client can read it (0644; never through a symlink).
Result<std::string> writeCaFile(const std::string& pem) {
  const std::string path = temporaryDirectory() + "/meshward-ca-" + std::to_string(::getpid()) + ".pem";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error{"cannot write the generated CA to " + path + ": " + std::strerror(errno)};
  }
  const bool written = ::fchmod(fd, 0644) == 0 && ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
  const int write_errno = errno;
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    return Error{"cannot write the generated CA to " + path + ": " + std::strerror(write_errno)};
  }
  return path;
}

struct TlsSetup {
  std::unique_ptr<server::TlsReloader> reloader;
  std::string generated_ca_file;  // empty with --tls-cert/--tls-key
};

Result<TlsSetup> setUpTls(const ServeConfig& config, meshward::Metrics& metrics) {
  if (!config.tls_cert.empty()) {
    auto reloader =
        server::TlsReloader::watchFiles(config.tls_cert, config.tls_key, config.server.reload_interval, metrics);
    if (!reloader) {
      return Error{reloader.error()};
    }
    return TlsSetup{std::move(*reloader), ""};
  }
  auto generated = server::generateSelfSigned();
  if (!generated) {
    return Error{generated.error()};
  }
  auto pair = meshward::parseKeyPair(generated->cert_pem, generated->key_pem, "generated certificate");
  if (!pair) {
    return Error{pair.error()};
  }
  auto ca_file = writeCaFile(generated->ca_pem);
  if (!ca_file) {
    return Error{ca_file.error()};
  }
  return TlsSetup{server::TlsReloader::fixed(std::move(*pair), metrics), *ca_file};
}

std::string urlHost(const server::ListenAddress& address) {
  if (address.host == "0.0.0.0") {
    return "127.0.0.1";
  }
  if (address.host == "::") {
    return "[::1]";
  }
  return address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host;
}

struct ClusterSource {
  std::unique_ptr<cluster::ClusterState> state;
  cluster::kube::LiveClusterState* live = nullptr;  // set when `state` watches an API server
};

Result<ClusterSource> watchCluster(const cluster::kube::ConnectionConfig& connection, meshward::Metrics& metrics) {
  auto live = cluster::kube::LiveClusterState::create(
      connection, metrics, admission::registeredRequirements(cluster::ObjectSource::Live));
  if (!live) {
    return Error{live.error()};
  }
  ClusterSource source;
  source.live = live->get();
  source.state = std::move(*live);
  return source;
}

// The first source that applies: --cluster-state manifests, --kubeconfig, the in-cluster
// service account, or none.
Result<ClusterSource> loadClusterState(const ServeConfig& config, meshward::Metrics& metrics) {
  if (!config.cluster_state.empty()) {
    auto offline = cluster::loadOfflineClusterState(
        config.cluster_state, admission::registeredRequirements(cluster::ObjectSource::Manifests).indexes);
    if (!offline) {
      return Error{offline.error()};
    }
    return ClusterSource{std::move(*offline), nullptr};
  }
  if (!config.kubeconfig.empty()) {
    auto connection = cluster::kube::loadKubeconfig(config.kubeconfig);
    if (!connection) {
      return Error{connection.error()};
    }
    return watchCluster(*connection, metrics);
  }
  auto in_cluster = cluster::kube::loadInClusterConfig(cluster::kube::inClusterEnvironment());
  if (!in_cluster) {
    return Error{in_cluster.error()};
  }
  if (*in_cluster) {
    return watchCluster(**in_cluster, metrics);
  }
  return ClusterSource{std::make_unique<cluster::NoClusterState>(), nullptr};
}

// Removes the generated CA file when serve() returns, however it returns.
class GeneratedCaFile {
 public:
  explicit GeneratedCaFile(std::string path) : path_(std::move(path)) {}
  ~GeneratedCaFile() {
    if (!path_.empty()) {
      ::unlink(path_.c_str());
    }
  }
  GeneratedCaFile(const GeneratedCaFile&) = delete;
  GeneratedCaFile& operator=(const GeneratedCaFile&) = delete;

 private:
  std::string path_;
};

int serve(const ServeConfig& config) {
  // Before any thread exists, so that every thread inherits the blocked mask.
  server::TerminationSignals signals;
  setUpLogging(config.log_level);
  meshward::Metrics& metrics = server::metrics();

  auto policy = config.policy_file.empty() ? policies::loadBuiltInPolicy() : policies::loadPolicyFile(config.policy_file);
  if (!policy) {
    std::cerr << "meshward serve: " << policy.error() << "\n";
    return kExitUsage;
  }
  auto tls = setUpTls(config, metrics);
  if (!tls) {
    std::cerr << "meshward serve: " << tls.error() << "\n";
    return kExitUsage;
  }
  const GeneratedCaFile generated_ca_file(tls->generated_ca_file);
  auto cluster_state = loadClusterState(config, metrics);
  if (!cluster_state) {
    std::cerr << "meshward serve: cluster state: " << cluster_state.error() << "\n";
    return kExitUsage;
  }
  cluster::kube::LiveClusterState* const live_cluster = cluster_state->live;
  auto audit_log = audit::AuditLog::open(config.audit, &metrics);
  if (!audit_log) {
    std::cerr << "meshward serve: audit log: " << audit_log.error() << "\n";
    return kExitUsage;
  }

  std::atomic<bool> listener_failed{false};
  const std::string policy_source = policy->source;
  const std::string policy_hash = policy->hash;
  server::WebhookServerParts parts{std::make_shared<const policies::Policy>(std::move(*policy)),
                                   std::move(tls->reloader), std::move(cluster_state->state),
                                   std::move(*audit_log)};
  auto running = server::WebhookServer::start(std::move(parts), config.server, metrics, [&] {
    spdlog::error("a listener stopped accepting connections unexpectedly; shutting down");
    listener_failed.store(true);
    signals.interrupt();
  });
  if (!running) {
    spdlog::error("{}", running.error());
    return kExitRuntimeError;
  }
  server::ListenAddress https_address = config.server.https.listen;
  https_address.port = (*running)->httpsPort();
  server::ListenAddress metrics_address = config.server.metrics_listen;
  metrics_address.port = (*running)->metricsPort();
  if (!tls->generated_ca_file.empty()) {
    spdlog::info("meshward serving with a self-signed certificate; trust it with: curl --cacert {} https://{}:{}/healthz",
                 tls->generated_ca_file, urlHost(https_address), https_address.port);
  }
  spdlog::info("meshward {} ready: admission on https://{}:{} (POST /validate, POST /mutate), metrics on "
               "http://{}:{}/metrics, policy {} ({}), {} workers",
               MESHWARD_VERSION, urlHost(https_address), https_address.port, urlHost(metrics_address),
               metrics_address.port, policy_source, policy_hash, config.server.https.workers);
  if (live_cluster != nullptr) {
    live_cluster->startWatching();  // /readyz answers 200 once every watched kind is listed
  } else if (config.cluster_state.empty()) {
    spdlog::info("no source of cluster state (no --cluster-state or --kubeconfig, and not running in a cluster)");
  } else if (!config.kubeconfig.empty()) {
    spdlog::warn("--cluster-state is given, so --kubeconfig {} is not used", config.kubeconfig);
  }

  const int received = signals.wait();
  spdlog::info("{}: draining in-flight requests", received == SIGINT ? "SIGINT" : "SIGTERM");
  (*running)->shutdown();
  if (live_cluster != nullptr) {
    live_cluster->stop();
  }
  running->reset();
  spdlog::info("meshward stopped");
  return listener_failed.load() ? kExitRuntimeError : kExitStopped;
}

}  // namespace

int runServe(const std::vector<std::string>& args) {
  auto arguments = parseArguments(args, kServeFlags);
  if (!arguments) {
    std::cerr << "meshward serve: " << arguments.error() << "\n\n" << kServeHelp;
    return kExitUsage;
  }
  if (arguments->has("--help")) {
    std::cout << kServeHelp;
    return kExitStopped;
  }
  auto config = serveConfigFrom(*arguments);
  if (!config) {
    std::cerr << "meshward serve: " << config.error() << "\n\n" << kServeHelp;
    return kExitUsage;
  }
  return serve(*config);
}

}  // namespace meshward::cli
