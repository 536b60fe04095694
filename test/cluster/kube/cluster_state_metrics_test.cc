#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "test/cluster/scratch_directory.h"
#include "webhook/server/metrics_impl.h"

namespace meshward::server {
namespace {

// `promtool check metrics` on `text`: its exit status and output.
std::pair<int, std::string> promtoolCheck(const std::string& text) {
  meshward::testing::ScratchDirectory directory;
  const std::string input = directory.write("metrics.txt", text);
  const std::string output = (directory.path() / "promtool.out").string();
  const int status = std::system(("/usr/bin/promtool check metrics < " + input + " > " + output + " 2>&1").c_str());
  std::ifstream stream(output);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1,
          std::string((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>())};
}

bool contains(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

TEST(ClusterStateMetrics, AreExposedPerKindAndPassPromtool) {
  MetricsImpl metrics;
  metrics.setClusterStateSynced("Pod", false);
  metrics.setClusterStateObjects("Pod", 0);
  metrics.setClusterStateSynced("Pod", true);
  metrics.setClusterStateObjects("Pod", 50000);
  metrics.setClusterStateSynced("DestinationRule", false);
  metrics.recordWatchRestart("Pod", "expired");
  metrics.recordWatchRestart("Pod", "expired");
  metrics.recordWatchRestart("Namespace", "malformed");
  metrics.recordClusterStateEvent("Pod");

  const std::string text = metrics.exposition();
  EXPECT_TRUE(contains(text, "# TYPE meshward_cluster_state_synced gauge\n")) << text;
  EXPECT_TRUE(contains(text, "meshward_cluster_state_synced{kind=\"Pod\"} 1\n")) << text;
  EXPECT_TRUE(contains(text, "meshward_cluster_state_synced{kind=\"DestinationRule\"} 0\n")) << text;
  EXPECT_TRUE(contains(text, "meshward_cluster_state_objects{kind=\"Pod\"} 50000\n")) << text;
  EXPECT_TRUE(contains(text, "meshward_cluster_state_watch_restarts_total{kind=\"Pod\",reason=\"expired\"} 2\n"))
      << text;
  EXPECT_TRUE(
      contains(text, "meshward_cluster_state_watch_restarts_total{kind=\"Namespace\",reason=\"malformed\"} 1\n"))
      << text;
  EXPECT_TRUE(contains(text, "meshward_cluster_state_last_event_age_seconds{kind=\"Pod\"} ")) << text;
  EXPECT_FALSE(contains(text, "meshward_cluster_state_last_event_age_seconds{kind=\"Namespace\"}"))
      << "no age before the first event";
  EXPECT_EQ(metrics.watchRestarts("Pod", "expired"), 2u);
  EXPECT_EQ(metrics.clusterStateObjects("Pod"), 50000.0);
  EXPECT_EQ(metrics.clusterStateSynced("DestinationRule"), false);
  EXPECT_EQ(metrics.clusterStateSynced("Sidecar"), std::nullopt);

  const auto [status, report] = promtoolCheck(text);
  EXPECT_EQ(status, 0) << report << "\n" << text;
}

TEST(ClusterStateMetrics, TheLastEventAgeIsSmallRightAfterAnEvent) {
  MetricsImpl metrics;
  metrics.recordClusterStateEvent("Service");
  const std::string text = metrics.exposition();
  const std::string prefix = "meshward_cluster_state_last_event_age_seconds{kind=\"Service\"} ";
  const std::size_t at = text.find(prefix);
  ASSERT_NE(at, std::string::npos) << text;
  const double age = std::strtod(text.c_str() + at + prefix.size(), nullptr);
  EXPECT_GE(age, 0.0);
  EXPECT_LT(age, 5.0);
}

}  // namespace
}  // namespace meshward::server
