// Benchmark of the live cluster state: the initial sync of a large cluster from the Kubernetes
// API stand-in (time, and the resident memory it costs this process), then the cost of the
// lookups rules make on the request path, which must not grow with the cluster.
//
//   cluster_sync [--pods N] [--destination-rules N] [--namespaces N] [--lookups N]
//
// The stand-in runs in a child process (forked before any thread exists) so that its own
// memory is not counted; it serves real-shaped objects (an Istio-injected pod is ~4 KB of JSON)
// in LIST pages of 500, as client-go does.

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "policies/indexes/destination_rules_by_host.h"
#include "policies/indexes/pods_without_sidecar.h"
#include "test/support/fake_cluster_objects.h"
#include "test/support/fake_kube_apiserver.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/cluster/kube/live_cluster_state.h"
#include "webhook/server/metrics_impl.h"

namespace {

using Clock = std::chrono::steady_clock;
using meshward::test_support::FakeKubeApiServer;

struct Sizes {
  std::size_t pods = 50000;
  std::size_t destination_rules = 5000;
  std::size_t namespaces = 100;
  std::size_t lookups = 200000;
};

bool parseSizes(int argc, char** argv, Sizes& sizes) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::size_t value = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--pods") {
      sizes.pods = value;
    } else if (flag == "--destination-rules") {
      sizes.destination_rules = value;
    } else if (flag == "--namespaces") {
      sizes.namespaces = value;
    } else if (flag == "--lookups") {
      sizes.lookups = value;
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && sizes.namespaces > 0;
}

std::string namespaceName(std::size_t index) { return "team-" + std::to_string(index); }

std::string serviceHost(std::size_t index, std::size_t namespaces) {
  return "svc-" + std::to_string(index) + "." + namespaceName(index % namespaces) + ".svc.cluster.local";
}

std::vector<nlohmann::json> clusterObjects(const Sizes& sizes) {
  std::vector<nlohmann::json> objects;
  objects.reserve(sizes.namespaces + sizes.pods + sizes.destination_rules);
  for (std::size_t i = 0; i < sizes.namespaces; ++i) {
    objects.push_back(meshward::test_support::namespaceObject(
        namespaceName(i), i % 2 == 0 ? meshward::test_support::Labels{{"istio-injection", "enabled"}}
                                     : meshward::test_support::Labels{}));
  }
  for (std::size_t i = 0; i < sizes.pods; ++i) {
    meshward::test_support::PodShape shape;
    shape.istio_sidecar = i % 10 != 0;  // one pod in ten runs without a sidecar
    shape.labels = {{"app", "svc-" + std::to_string(i % 1000)}, {"version", "v" + std::to_string(i % 3)}};
    objects.push_back(
        meshward::test_support::podObject(namespaceName(i % sizes.namespaces), "pod-" + std::to_string(i), shape));
  }
  for (std::size_t i = 0; i < sizes.destination_rules; ++i) {
    objects.push_back(meshward::test_support::destinationRuleObject(namespaceName(i % sizes.namespaces),
                                                                    "dr-" + std::to_string(i),
                                                                    "svc-" + std::to_string(i), {"v1", "v2", "v3"}));
  }
  return objects;
}

// The child: serves the cluster until the parent closes the pipe.
[[noreturn]] void serveCluster(const Sizes& sizes, int to_parent, int from_parent) {
  spdlog::set_level(spdlog::level::warn);
  FakeKubeApiServer fake;
  fake.seed(clusterObjects(sizes));
  const std::string ready = std::to_string(fake.port()) + "\n" + fake.caPem();
  const bool sent = ::write(to_parent, ready.data(), ready.size()) == static_cast<ssize_t>(ready.size());
  ::close(to_parent);
  char byte = 0;
  while (sent && ::read(from_parent, &byte, 1) > 0) {
  }
  std::_Exit(0);
}

long statusKilobytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  return -1;
}

template <typename Lookup>
double nanosecondsPerLookup(std::size_t count, Lookup lookup) {
  const auto start = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    lookup(i);
  }
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() / static_cast<double>(count);
}

}  // namespace

int main(int argc, char** argv) {
  Sizes sizes;
  if (!parseSizes(argc, argv, sizes)) {
    std::cerr << "usage: cluster_sync [--pods N] [--destination-rules N] [--namespaces N] [--lookups N]\n";
    return 2;
  }
  int child_to_parent[2];
  int parent_to_child[2];
  if (::pipe(child_to_parent) != 0 || ::pipe(parent_to_child) != 0) {
    std::perror("pipe");
    return 1;
  }
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(child_to_parent[0]);
    ::close(parent_to_child[1]);
    serveCluster(sizes, child_to_parent[1], parent_to_child[0]);
  }
  ::close(child_to_parent[1]);
  ::close(parent_to_child[0]);
  std::string ready;
  char buffer[4096];
  for (ssize_t n; (n = ::read(child_to_parent[0], buffer, sizeof(buffer))) > 0;) {
    ready.append(buffer, static_cast<std::size_t>(n));
  }
  const std::size_t newline = ready.find('\n');
  if (newline == std::string::npos) {
    std::cerr << "the API stand-in did not start\n";
    return 1;
  }
  meshward::cluster::kube::ConnectionConfig connection;
  connection.server.host = "127.0.0.1";
  connection.server.port = std::atoi(ready.substr(0, newline).c_str());
  connection.ca_pem = ready.substr(newline + 1);
  connection.token = "test-token";
  connection.description = "API stand-in";

  spdlog::set_level(spdlog::level::warn);
  meshward::server::MetricsImpl metrics;
  malloc_trim(0);
  const long rss_before = statusKilobytes("VmRSS");
  const auto start = Clock::now();
  auto state = meshward::cluster::kube::LiveClusterState::start(
      connection, metrics, meshward::admission::registeredRequirements(meshward::cluster::ObjectSource::Live));
  if (!state) {
    std::cerr << state.error() << "\n";
    return 1;
  }
  meshward::cluster::kube::LiveClusterState& live = **state;
  while (!live.ready()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const double sync_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const long rss_peak = statusKilobytes("VmHWM");
  malloc_trim(0);
  const long rss_after = statusKilobytes("VmRSS");

  std::size_t pods_without_sidecar = 0;
  for (std::size_t i = 0; i < sizes.namespaces; ++i) {
    pods_without_sidecar += meshward::policies::podsWithoutSidecar(live, namespaceName(i), 0).count;
  }
  std::mt19937 random(42);
  std::vector<std::string> namespaces;
  std::vector<std::string> hosts;
  for (std::size_t i = 0; i < 1024; ++i) {
    namespaces.push_back(namespaceName(random() % sizes.namespaces));
    hosts.push_back(serviceHost(random() % std::max<std::size_t>(sizes.destination_rules, 1), sizes.namespaces));
  }
  std::size_t sink = 0;
  const double pods_ns = nanosecondsPerLookup(sizes.lookups, [&](std::size_t i) {
    sink += meshward::policies::podsWithoutSidecar(live, namespaces[i % namespaces.size()], 5).count;
  });
  const double subsets_ns = nanosecondsPerLookup(
      sizes.lookups, [&](std::size_t i) { sink += meshward::policies::destinationRulesForHost(live, hosts[i % hosts.size()]).size(); });
  const double namespace_ns = nanosecondsPerLookup(sizes.lookups, [&](std::size_t i) {
    sink += live.findNamespace(namespaces[i % namespaces.size()]).has_value() ? 1 : 0;
  });

  const std::size_t objects = sizes.namespaces + sizes.pods + sizes.destination_rules;
  std::printf("objects: %zu namespaces, %zu pods (%zu without a sidecar), %zu DestinationRules\n", sizes.namespaces,
              sizes.pods, pods_without_sidecar, sizes.destination_rules);
  std::printf("initial sync (every watched kind listed): %.2f s\n", sync_seconds);
  std::printf(
      "resident memory: %.1f MiB before, %.1f MiB after sync (+%.1f MiB, %.0f bytes per object), "
      "peak %.1f MiB\n",
      rss_before / 1024.0, rss_after / 1024.0, (rss_after - rss_before) / 1024.0,
      static_cast<double>(rss_after - rss_before) * 1024.0 / static_cast<double>(objects), rss_peak / 1024.0);
  std::printf("lookup \"pods without sidecar in namespace X\" (count + first 5 names): %.0f ns\n", pods_ns);
  std::printf("lookup \"subsets for host H\": %.0f ns\n", subsets_ns);
  std::printf("lookup \"namespace N\" (labels and annotations): %.0f ns\n", namespace_ns);
  std::printf("(checksum %zu)\n", sink);

  live.stop();
  ::close(parent_to_child[1]);
  int child_status = 0;
  ::waitpid(child, &child_status, 0);
  return 0;
}
