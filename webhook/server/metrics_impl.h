#pragma once
// The Metrics implementation: counters, the admission latency histogram and the certificate
// expiry gauge in memory, rendered as Prometheus text on each scrape. One instance per process
// (metrics()); tests make their own.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "webhook/server/labeled_series.h"
#include "webhook/server/latency_histogram.h"
#include "webhook/common/metrics.h"

namespace meshward::server {

class MetricsImpl final : public Metrics {
 public:
  MetricsImpl();

  void recordAdmission(std::string_view webhook, std::string_view kind, std::string_view operation, bool allowed,
                       bool dry_run, double seconds) override;
  void recordFinding(std::string_view rule, std::string_view action) override;
  void recordMutation(std::string_view rule) override;
  void recordBreakGlass(std::string_view rule) override;
  void recordBreakGlassUnaudited() override;
  void recordHttpRequest(std::string_view path, int code) override;
  void recordPolicyReload(bool success) override;
  void recordTlsReload(bool success) override;
  void setCertificateExpiry(double unix_seconds) override;
  void recordInternalError(std::string_view where) override;
  void declareAuditDestination(std::string_view destination) override;
  void setAuditBacklog(std::string_view destination, std::size_t lines) override;
  void recordAuditDropped(std::string_view destination) override;
  void recordAuditWriteError(std::string_view destination) override;
  void recordConnectionTimedOut() override;
  void setClusterStateSynced(std::string_view kind, bool synced) override;
  void setClusterStateObjects(std::string_view kind, std::size_t objects) override;
  void recordWatchRestart(std::string_view kind, std::string_view reason) override;
  void recordClusterStateEvent(std::string_view kind) override;
  void recordRuleError(std::string_view rule) override;
  void recordBadObject(std::string_view kind) override;
  std::string exposition() const override;

  // Read-back for tests and the server's own decisions.
  std::uint64_t httpRequests(std::string_view path, int code) const;
  std::uint64_t policyReloads(bool success) const;
  std::uint64_t tlsReloads(bool success) const;
  std::uint64_t internalErrors(std::string_view where) const;
  std::uint64_t admissions() const;
  std::uint64_t connectionsTimedOut() const;
  std::uint64_t auditWriteFailures() const;
  std::optional<double> auditBacklog(std::string_view destination) const;
  std::uint64_t auditDropped(std::string_view destination) const;
  std::uint64_t auditWriteErrors(std::string_view destination) const;
  std::uint64_t breakGlassUnaudited() const;
  std::uint64_t watchRestarts(std::string_view kind, std::string_view reason) const;
  std::uint64_t ruleErrors(std::string_view rule) const;
  std::uint64_t badObjects(std::string_view kind) const;
  std::optional<double> clusterStateObjects(std::string_view kind) const;
  std::optional<bool> clusterStateSynced(std::string_view kind) const;

 private:
  LabeledCounters<5> admission_requests_;  // webhook, kind, operation, decision, dry_run
  LatencyHistogram admission_duration_;
  LabeledCounters<2> rule_findings_;  // rule, action
  LabeledCounters<1> mutations_;      // rule
  LabeledCounters<1> break_glass_;    // rule
  LabeledCounters<2> http_requests_;  // path, code
  LabeledCounters<1> policy_reloads_;  // result
  LabeledCounters<1> tls_reloads_;     // result
  LabeledCounters<1> internal_errors_;  // where
  LabeledGauges<1> cluster_state_synced_;   // kind
  LabeledGauges<1> cluster_state_objects_;  // kind
  LabeledCounters<2> watch_restarts_;       // kind, reason
  LabeledGauges<1> last_event_seconds_;     // kind: steady-clock seconds of the last event
  LabeledCounters<1> rule_errors_;          // rule
  LabeledCounters<1> bad_objects_;          // kind
  LabeledGauges<1> audit_backlog_;          // destination
  LabeledCounters<1> audit_dropped_;        // destination
  LabeledCounters<1> audit_write_errors_;   // destination
  std::atomic<std::uint64_t> break_glass_unaudited_{0};
  std::atomic<std::uint64_t> connections_timed_out_{0};
  std::atomic<double> certificate_expiry_{0};
  std::atomic<bool> certificate_expiry_known_{false};
};

// The process-wide metrics (with the registry, the only global mutable state).
Metrics& metrics();

}  // namespace meshward::server
