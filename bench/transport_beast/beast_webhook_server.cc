// A bench-only webhook server: the same admission core as `meshward serve` (policy, cluster
// state, audit log, AdmissionHandler) behind the Boost.Beast/Asio prototype listener, so the
// two transports can be measured side by side. Serves until SIGTERM or SIGINT.
// Usage: beast_webhook_server --listen ADDR:PORT --tls-cert FILE --tls-key FILE
//          [--cluster-state DIR... | --kubeconfig FILE] [--audit-log FILE] [--threads N]

#include <charconv>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench/transport_beast/beast_https_server.h"
#include "policies/policy.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/audit/audit_log.h"
#include "webhook/cli/arguments.h"
#include "webhook/cluster/kube/kubeconfig.h"
#include "webhook/cluster/kube/live_cluster_state.h"
#include "webhook/cluster/offline_cluster_state.h"
#include "webhook/server/admission_handler.h"
#include "webhook/server/policy_store.h"
#include "webhook/server/readiness.h"
#include "webhook/server/termination_signals.h"
#include "webhook/server/tls_reloader.h"

namespace {

using namespace meshward;

const std::vector<cli::FlagSpec> kFlags = {
    {"--listen", true, ""},        {"--tls-cert", true, ""},   {"--tls-key", true, ""},
    {"--cluster-state", true, ""}, {"--kubeconfig", true, ""}, {"--audit-log", true, ""},
    {"--threads", true, ""},
};

struct ClusterSource {
  std::unique_ptr<cluster::ClusterState> state;
  cluster::kube::LiveClusterState* live = nullptr;
};

Result<ClusterSource> loadCluster(const cli::ParsedArguments& arguments, meshward::Metrics& metrics) {
  if (arguments.has("--cluster-state")) {
    auto offline = cluster::loadOfflineClusterState(
        arguments.values("--cluster-state"), admission::registeredRequirements(cluster::ObjectSource::Manifests).indexes);
    if (!offline) {
      return Error{offline.error()};
    }
    return ClusterSource{std::move(*offline), nullptr};
  }
  if (!arguments.has("--kubeconfig")) {
    return ClusterSource{std::make_unique<cluster::NoClusterState>(), nullptr};
  }
  auto connection = cluster::kube::loadKubeconfig(*arguments.value("--kubeconfig"));
  if (!connection) {
    return Error{connection.error()};
  }
  auto live = cluster::kube::LiveClusterState::create(
      *connection, metrics, admission::registeredRequirements(cluster::ObjectSource::Live));
  if (!live) {
    return Error{live.error()};
  }
  ClusterSource source;
  source.live = live->get();
  source.state = std::move(*live);
  return source;
}

Result<bench::BeastHttpsServerOptions> listenerOptions(const cli::ParsedArguments& arguments) {
  bench::BeastHttpsServerOptions options;
  auto listen = server::parseListenAddress(arguments.valueOr("--listen", "127.0.0.1:8443"));
  if (!listen) {
    return Error{"--listen: " + listen.error()};
  }
  options.listen = *listen;
  const std::string threads = arguments.valueOr("--threads", "2");
  const auto [end, error] = std::from_chars(threads.data(), threads.data() + threads.size(), options.threads);
  if (error != std::errc() || end != threads.data() + threads.size() || options.threads == 0 ||
      options.threads > 64) {
    return Error{"--threads must be a whole number from 1 to 64; got '" + threads + "'"};
  }
  return options;
}

int run(const cli::ParsedArguments& arguments) {
  server::TerminationSignals signals;  // before any thread starts
  meshward::Metrics& metrics = server::metrics();
  auto options = listenerOptions(arguments);
  auto policy = policies::loadBuiltInPolicy();
  auto tls = server::TlsReloader::watchFiles(arguments.valueOr("--tls-cert", ""), arguments.valueOr("--tls-key", ""),
                                             std::chrono::seconds(1), metrics);
  auto cluster = loadCluster(arguments, metrics);
  auto audit_log = audit::AuditLog::open(
      audit::AuditLogOptions{.to_stdout = false, .file = arguments.valueOr("--audit-log", "")}, &metrics);
  for (const std::string* error :
       {&options.error(), &policy.error(), &tls.error(), &cluster.error(), &audit_log.error()}) {
    if (!error->empty()) {
      std::cerr << "beast_webhook_server: " << *error << "\n";
      return 2;
    }
  }

  server::PolicyStore policies(std::make_shared<const policies::Policy>(std::move(*policy)));
  const server::Readiness readiness(policies, **tls, *cluster->state);
  const server::AdmissionHandler handler(policies, *cluster->state, audit_log->get(), metrics);
  server::WebhookRoutes routes{
      [&handler](std::string_view body) { return handler.handle(policies::RuleType::Validating, body); },
      [&handler](std::string_view body) { return handler.handle(policies::RuleType::Mutating, body); },
      [&readiness] { return readiness.notReadyReason(); },
  };
  auto https = bench::BeastHttpsServer::create(*options, **tls, std::move(routes), metrics);
  if (!https) {
    std::cerr << "beast_webhook_server: " << https.error() << "\n";
    return 2;
  }
  auto port = (*https)->start();
  if (!port) {
    std::cerr << "beast_webhook_server: " << port.error() << "\n";
    return 1;
  }
  std::cerr << "beast_webhook_server: https://" << options->listen.host << ":" << *port << ", "
            << options->threads << " threads\n";
  if (cluster->live != nullptr) {
    cluster->live->startWatching();
  }
  signals.wait();
  (*https)->stop();
  if (cluster->live != nullptr) {
    cluster->live->stop();
  }
  (*audit_log)->flush();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto arguments = meshward::cli::parseArguments(std::vector<std::string>(argv + 1, argv + argc), kFlags);
  if (!arguments) {
    std::cerr << "beast_webhook_server: " << arguments.error() << "\n";
    return 2;
  }
  return run(*arguments);
}
