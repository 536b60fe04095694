#pragma once
// Every metric meshward exposes, declared in one place, and their Prometheus text exposition
// (hand-written: prometheus-cpp is not packaged in Debian). Labels never carry per-object
// values (no names, no namespaces, no uids), so cardinality stays bounded.
//
// meshward_admission_requests_total{webhook,kind,operation,decision,dry_run}
// meshward_admission_duration_seconds (histogram, buckets from 0.0001 s)
// meshward_rule_findings_total{rule,action}
// meshward_rule_errors_total{rule}
// meshward_mutations_total{rule}
// meshward_break_glass_total{rule}
// meshward_break_glass_unaudited_total
// meshward_http_requests_total{path,code}
// meshward_policy_reloads_total{result}
// meshward_tls_reloads_total{result}
// meshward_tls_certificate_expiry_timestamp_seconds
// meshward_internal_errors_total{where}
// meshward_audit_write_failures_total (the sum of meshward_audit_write_errors_total, kept for existing alerts)
// meshward_audit_write_errors_total{destination}
// meshward_audit_backlog{destination}
// meshward_audit_dropped_total{destination}
// meshward_connections_timed_out_total
// meshward_build_info{version}
// meshward_cluster_state_synced{kind}
// meshward_cluster_state_objects{kind}
// meshward_cluster_state_watch_restarts_total{kind,reason}
// meshward_cluster_state_bad_objects_total{kind}
// meshward_cluster_state_last_event_age_seconds{kind}

#include <cstddef>
#include <string>
#include <string_view>

namespace meshward {

class Metrics {
 public:
  virtual ~Metrics() = default;
  virtual void recordAdmission(std::string_view webhook, std::string_view kind, std::string_view operation,
                               bool allowed, bool dry_run, double seconds) = 0;
  virtual void recordFinding(std::string_view rule, std::string_view action) = 0;
  virtual void recordMutation(std::string_view rule) = 0;
  virtual void recordBreakGlass(std::string_view rule) = 0;
  // A break-glass bypass refused because its audit record reached no destination.
  virtual void recordBreakGlassUnaudited() = 0;
  virtual void recordHttpRequest(std::string_view path, int code) = 0;
  virtual void recordPolicyReload(bool success) = 0;
  virtual void recordTlsReload(bool success) = 0;
  virtual void setCertificateExpiry(double unix_seconds) = 0;
  virtual void recordInternalError(std::string_view where) = 0;
  // An audit destination ("file", "stdout"): its series exist at 0 once it opens; the lines
  // queued for it and not yet written; a line its full queue had to drop; a line it failed to
  // take (the kernel refused it, or the file could not be reopened).
  virtual void declareAuditDestination(std::string_view destination) = 0;
  virtual void setAuditBacklog(std::string_view destination, std::size_t lines) = 0;
  virtual void recordAuditDropped(std::string_view destination) = 0;
  virtual void recordAuditWriteError(std::string_view destination) = 0;
  // A TLS connection shut down for not finishing a request in time (slowloris guard).
  virtual void recordConnectionTimedOut() = 0;
  // The live cluster state, per watched kind (its Kind name): whether its first list is done,
  // how many objects the cache holds, why a watch was restarted, and that an event (or a list)
  // just arrived, which resets the last-event age.
  virtual void setClusterStateSynced(std::string_view kind, bool synced) = 0;
  virtual void setClusterStateObjects(std::string_view kind, std::size_t objects) = 0;
  virtual void recordWatchRestart(std::string_view kind, std::string_view reason) = 0;
  virtual void recordClusterStateEvent(std::string_view kind) = 0;
  // A rule that failed on one request (its onError action was applied instead).
  virtual void recordRuleError(std::string_view rule) = 0;
  // An object from the API server that could not be cached (skipped).
  virtual void recordBadObject(std::string_view kind) = 0;
  virtual std::string exposition() const = 0;
};

}  // namespace meshward
