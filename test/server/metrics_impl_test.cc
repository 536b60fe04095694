#include "webhook/server/metrics_impl.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "test/server/server_test_support.h"
#include "webhook/server/labeled_series.h"
#include "webhook/server/latency_histogram.h"
#include "webhook/server/prometheus_text.h"

namespace meshward::server {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";

bool contains(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

// Runs `promtool check metrics` on `text`; returns its exit status and output.
std::pair<int, std::string> promtoolCheck(const std::string& text) {
  testing::ScratchDirectory directory;
  const std::string input = directory.write("metrics.txt", text);
  const std::string output = (directory.path() / "promtool.out").string();
  const std::string command = std::string(kPromtool) + " check metrics < " + input + " > " + output + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream stream(output);
  std::string report((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, report};
}

void recordSomeOfEverything(MetricsImpl& metrics) {
  metrics.recordAdmission("validate", "Pod", "CREATE", false, false, 0.0003);
  metrics.recordAdmission("mutate", "Deployment", "UPDATE", true, true, 0.02);
  metrics.recordFinding("sidecar-memory", "deny");
  metrics.recordMutation("proxy-defaults");
  metrics.recordBreakGlass("sidecar-memory");
  metrics.recordHttpRequest("/validate", 200);
  metrics.recordHttpRequest("other", 404);
  metrics.recordPolicyReload(true);
  metrics.recordPolicyReload(false);
  metrics.recordTlsReload(true);
  metrics.setCertificateExpiry(1893456000);
  metrics.recordInternalError("admission");
  metrics.declareAuditDestination("stdout");
  metrics.recordAuditWriteError("file");
  metrics.recordBreakGlassUnaudited();
  metrics.recordConnectionTimedOut();
}

TEST(PrometheusTextTest, EscapesLabelValues) {
  EXPECT_EQ(prometheus::escapeLabelValue("plain"), "plain");
  EXPECT_EQ(prometheus::escapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(PrometheusTextTest, FormatsValuesAsPrometheusParsesThem) {
  EXPECT_EQ(prometheus::formatValue(0.0001), "0.0001");
  EXPECT_EQ(prometheus::formatValue(2.5), "2.5");
  EXPECT_EQ(prometheus::formatValue(1), "1");
  EXPECT_EQ(prometheus::formatValue(1893456000), "1893456000");
  EXPECT_EQ(prometheus::formatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(prometheus::formatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(prometheus::formatValue(std::nan("")), "NaN");
}

TEST(PrometheusTextTest, HeaderEscapesHelpText) {
  std::string out;
  prometheus::appendHeader(out, "x_total", "counter", "line one\nback\\slash");
  EXPECT_EQ(out, "# HELP x_total line one\\nback\\\\slash\n# TYPE x_total counter\n");
}

TEST(LatencyHistogramTest, BucketsAreCumulativeAndUpperBoundsInclusive) {
  LatencyHistogram histogram;
  histogram.observe(0.0001);   // exactly on the first bound
  histogram.observe(0.00011);  // just above it
  histogram.observe(30);       // beyond the last bound
  std::string out;
  histogram.appendSamples(out, "h");
  EXPECT_TRUE(contains(out, "h_bucket{le=\"0.0001\"} 1\n")) << out;
  EXPECT_TRUE(contains(out, "h_bucket{le=\"0.00025\"} 2\n")) << out;
  EXPECT_TRUE(contains(out, "h_bucket{le=\"10\"} 2\n")) << out;
  EXPECT_TRUE(contains(out, "h_bucket{le=\"+Inf\"} 3\n")) << out;
  EXPECT_TRUE(contains(out, "h_count 3\n")) << out;
  EXPECT_EQ(histogram.count(), 3u);
}

TEST(LabeledCountersTest, OverflowBeyondTheSeriesCapLandsInOther) {
  LabeledCounters<1> counters;
  for (std::size_t i = 0; i < LabeledCounters<1>::kMaxSeries + 5; ++i) {
    counters.increment({"label-" + std::to_string(i)});
  }
  EXPECT_EQ(counters.find({"label-0"}), std::optional<std::uint64_t>(1));
  EXPECT_FALSE(counters.find({"label-" + std::to_string(LabeledCounters<1>::kMaxSeries + 1)}));
  EXPECT_EQ(counters.find({"other"}), std::optional<std::uint64_t>(5));
  EXPECT_LE(counters.snapshot().size(), LabeledCounters<1>::kMaxSeries + 1);
}

TEST(LabeledGaugesTest, SetReplacesTheValueAndAnAbsentSeriesHasNone) {
  LabeledGauges<1> gauges;
  EXPECT_FALSE(gauges.find({"pods"}));
  gauges.set({"pods"}, 3);
  gauges.set({"pods"}, 2);
  EXPECT_EQ(gauges.find({"pods"}), std::optional<double>(2));
  EXPECT_EQ(gauges.snapshot().size(), 1u);
}

TEST(MetricsImplTest, ExposesEverySeriesWithLabels) {
  MetricsImpl metrics;
  recordSomeOfEverything(metrics);
  const std::string text = metrics.exposition();
  EXPECT_TRUE(contains(text, "meshward_admission_requests_total{webhook=\"validate\",kind=\"Pod\",operation="
                             "\"CREATE\",decision=\"denied\",dry_run=\"false\"} 1\n"))
      << text;
  EXPECT_TRUE(contains(text, "# TYPE meshward_admission_duration_seconds histogram\n"));
  EXPECT_TRUE(contains(text, "meshward_admission_duration_seconds_bucket{le=\"0.0001\"} 0\n"));
  EXPECT_TRUE(contains(text, "meshward_admission_duration_seconds_bucket{le=\"0.0005\"} 1\n"));
  EXPECT_TRUE(contains(text, "meshward_admission_duration_seconds_count 2\n"));
  EXPECT_TRUE(contains(text, "meshward_rule_findings_total{rule=\"sidecar-memory\",action=\"deny\"} 1\n"));
  EXPECT_TRUE(contains(text, "meshward_mutations_total{rule=\"proxy-defaults\"} 1\n"));
  EXPECT_TRUE(contains(text, "meshward_break_glass_total{rule=\"sidecar-memory\"} 1\n"));
  EXPECT_TRUE(contains(text, "meshward_http_requests_total{path=\"/validate\",code=\"200\"} 1\n"));
  EXPECT_TRUE(contains(text, "meshward_policy_reloads_total{result=\"failure\"} 1\n"));
  EXPECT_TRUE(contains(text, "meshward_tls_reloads_total{result=\"success\"} 1\n"));
  EXPECT_TRUE(contains(text, "meshward_tls_reloads_total{result=\"failure\"} 0\n")) << "declared before any failure";
  EXPECT_TRUE(contains(text, "meshward_tls_certificate_expiry_timestamp_seconds 1893456000\n"));
  EXPECT_TRUE(contains(text, "meshward_internal_errors_total{where=\"admission\"} 1\n"));
  EXPECT_TRUE(contains(text, "meshward_audit_write_failures_total 1\n"));
  EXPECT_TRUE(contains(text, "meshward_audit_write_errors_total{destination=\"file\"} 1\n"));
  EXPECT_TRUE(contains(text, "meshward_audit_write_errors_total{destination=\"stdout\"} 0\n"))
      << "declared with the destination";
  EXPECT_TRUE(contains(text, "meshward_break_glass_unaudited_total 1\n"));
  EXPECT_TRUE(contains(text, "meshward_connections_timed_out_total 1\n"));
  EXPECT_TRUE(contains(text, "meshward_build_info{version=\"" MESHWARD_VERSION "\"} 1\n"));
}

TEST(MetricsImplTest, ExpiryGaugeIsAbsentUntilACertificateIsLoaded) {
  MetricsImpl metrics;
  EXPECT_FALSE(contains(metrics.exposition(), "meshward_tls_certificate_expiry_timestamp_seconds 0"));
  metrics.setCertificateExpiry(42);
  EXPECT_TRUE(contains(metrics.exposition(), "meshward_tls_certificate_expiry_timestamp_seconds 42\n"));
}

TEST(MetricsImplTest, LabelValuesAreEscapedInTheExposition) {
  MetricsImpl metrics;
  metrics.recordInternalError("quote\" back\\slash\nnewline");
  EXPECT_TRUE(contains(metrics.exposition(),
                       "meshward_internal_errors_total{where=\"quote\\\" back\\\\slash\\nnewline\"} 1\n"));
}

TEST(MetricsImplTest, ReadBackAccessorsFollowTheCounters) {
  MetricsImpl metrics;
  metrics.recordHttpRequest("/mutate", 415);
  metrics.recordHttpRequest("/mutate", 415);
  EXPECT_EQ(metrics.httpRequests("/mutate", 415), 2u);
  EXPECT_EQ(metrics.httpRequests("/mutate", 200), 0u);
  metrics.recordTlsReload(false);
  EXPECT_EQ(metrics.tlsReloads(false), 1u);
  EXPECT_EQ(metrics.tlsReloads(true), 0u);
  metrics.recordAuditWriteError("stdout");
  EXPECT_EQ(metrics.auditWriteErrors("stdout"), 1u);
  EXPECT_EQ(metrics.auditWriteErrors("file"), 0u);
  EXPECT_EQ(metrics.breakGlassUnaudited(), 0u);
}

TEST(MetricsImplTest, PromtoolAcceptsTheExposition) {
  if (::access(kPromtool, X_OK) != 0) {
    GTEST_SKIP() << kPromtool << " not installed (Debian package prometheus)";
  }
  MetricsImpl metrics;
  recordSomeOfEverything(metrics);
  metrics.recordInternalError("odd \"label\"\nvalue\\");
  const auto [status, report] = promtoolCheck(metrics.exposition());
  EXPECT_EQ(status, 0) << report << "\n" << metrics.exposition();
}

TEST(MetricsImplTest, PromtoolRejectsABrokenExpositionSoTheCheckAboveMeansSomething) {
  if (::access(kPromtool, X_OK) != 0) {
    GTEST_SKIP() << kPromtool << " not installed (Debian package prometheus)";
  }
  const auto [status, report] =
      promtoolCheck("# TYPE x_total counter\nx_total{where=\"unescaped \" quote\"} 1\n");
  EXPECT_NE(status, 0) << report;
}

TEST(MetricsImplTest, ProcessWideInstanceIsAMetricsImpl) {
  EXPECT_NE(dynamic_cast<MetricsImpl*>(&metrics()), nullptr);
  EXPECT_EQ(&metrics(), &metrics());
}

}  // namespace
}  // namespace meshward::server
