#include "webhook/server/metrics_impl.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "webhook/server/prometheus_text.h"

namespace meshward::server {
namespace {

struct Family {
  std::string_view name;
  std::string_view type;
  std::string_view help;
};

// Every series meshward exposes, in exposition order.
constexpr Family kAdmissionRequests{"meshward_admission_requests_total", "counter",
                                    "Admission requests answered, by webhook, kind, operation, decision and dry run."};
constexpr Family kAdmissionDuration{"meshward_admission_duration_seconds", "histogram",
                                    "Time from a decoded admission request to its encoded response."};
constexpr Family kRuleFindings{"meshward_rule_findings_total", "counter",
                               "Findings reported by rules, by rule and the action it took."};
constexpr Family kRuleErrors{"meshward_rule_errors_total", "counter",
                             "Rule evaluations that failed with an internal error, by rule (the rule's onError action applied)."};
constexpr Family kMutations{"meshward_mutations_total", "counter", "Admission responses patched, by rule."};
constexpr Family kBreakGlass{"meshward_break_glass_total", "counter",
                             "Deny findings bypassed through break-glass, by rule."};
constexpr Family kBreakGlassUnaudited{"meshward_break_glass_unaudited_total", "counter",
                                      "Break-glass bypasses refused because their audit record reached no destination."};
constexpr Family kHttpRequests{"meshward_http_requests_total", "counter",
                               "HTTP responses of the webhook listener, by route and status code."};
constexpr Family kPolicyReloads{"meshward_policy_reloads_total", "counter",
                                "Policy file reloads, by result (a failure keeps the previous policy)."};
constexpr Family kTlsReloads{"meshward_tls_reloads_total", "counter",
                             "Serving certificate reloads, by result (a failure keeps the previous pair)."};
constexpr Family kCertificateExpiry{"meshward_tls_certificate_expiry_timestamp_seconds", "gauge",
                                    "Unix time at which the serving certificate expires."};
constexpr Family kInternalErrors{"meshward_internal_errors_total", "counter",
                                 "Requests answered with HTTP 500 because of an internal error, by place."};
constexpr Family kAuditWriteFailures{"meshward_audit_write_failures_total", "counter",
                                     "Audit records that could not be written."};
constexpr Family kAuditWriteErrors{"meshward_audit_write_errors_total", "counter",
                                   "Audit records a destination failed to take (refused by the kernel, or the file could "
                                   "not be reopened), by destination."};
constexpr Family kAuditBacklog{"meshward_audit_backlog", "gauge",
                                "Audit records queued for a destination and not yet written (it is slow or stalled)."};
constexpr Family kAuditDropped{"meshward_audit_dropped_total", "counter",
                               "Audit records dropped because a stalled destination's queue was full."};
constexpr Family kConnectionsTimedOut{"meshward_connections_timed_out_total", "counter",
                                      "TLS connections shut down for not completing a request in time."};
constexpr Family kClusterStateSynced{"meshward_cluster_state_synced", "gauge",
                                    "1 once the live cluster state has completed the first list of a kind."};
constexpr Family kClusterStateObjects{"meshward_cluster_state_objects", "gauge",
                                      "Objects of a kind held by the live cluster state."};
constexpr Family kWatchRestarts{"meshward_cluster_state_watch_restarts_total", "counter",
                                "Watches of the API server restarted, by kind and reason."};
constexpr Family kBadObjects{"meshward_cluster_state_bad_objects_total", "counter",
                             "Objects from the API server that could not be cached and were skipped, by kind."};
constexpr Family kLastEventAge{"meshward_cluster_state_last_event_age_seconds", "gauge",
                               "Seconds since the last list or watch event (bookmarks included) of a kind."};
constexpr Family kBuildInfo{"meshward_build_info", "gauge", "The running meshward version (always 1)."};

void appendHeader(std::string& out, const Family& family) {
  prometheus::appendHeader(out, family.name, family.type, family.help);
}

template <std::size_t N>
void appendCounters(std::string& out, const Family& family, const std::array<std::string_view, N>& label_names,
                    const LabeledCounters<N>& counters) {
  appendHeader(out, family);
  for (const auto& [values, count] : counters.snapshot()) {
    std::array<prometheus::Label, N> labels;
    for (std::size_t i = 0; i < N; ++i) {
      labels[i] = {label_names[i], values[i]};
    }
    prometheus::appendSampleWithLabels(out, family.name, labels, std::to_string(count));
  }
}

template <std::size_t N>
void appendGauges(std::string& out, const Family& family, const std::array<std::string_view, N>& label_names,
                  const LabeledGauges<N>& gauges, double (*transform)(double)) {
  appendHeader(out, family);
  for (const auto& [values, value] : gauges.snapshot()) {
    std::array<prometheus::Label, N> labels;
    for (std::size_t i = 0; i < N; ++i) {
      labels[i] = {label_names[i], values[i]};
    }
    prometheus::appendSampleWithLabels(out, family.name, labels, prometheus::formatValue(transform(value)));
  }
}

double asIs(double value) { return value; }

double steadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double secondsSinceSteady(double then) { return std::max(0.0, steadySeconds() - then); }

std::string_view resultLabel(bool success) { return success ? "success" : "failure"; }

struct StatusCodeText {
  explicit StatusCodeText(int code) {
    auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), code);
    length = error == std::errc() ? static_cast<std::size_t>(end - buffer) : 0;
  }
  std::string_view view() const { return {buffer, length}; }

  char buffer[16];
  std::size_t length;
};

}  // namespace

MetricsImpl::MetricsImpl() {
  for (bool success : {true, false}) {
    policy_reloads_.declare({resultLabel(success)});
    tls_reloads_.declare({resultLabel(success)});
  }
}

void MetricsImpl::recordAdmission(std::string_view webhook, std::string_view kind, std::string_view operation,
                                  bool allowed, bool dry_run, double seconds) {
  admission_requests_.increment(
      {webhook, kind, operation, allowed ? "allowed" : "denied", dry_run ? "true" : "false"});
  admission_duration_.observe(seconds);
}

void MetricsImpl::recordFinding(std::string_view rule, std::string_view action) {
  rule_findings_.increment({rule, action});
}

void MetricsImpl::recordMutation(std::string_view rule) { mutations_.increment({rule}); }

void MetricsImpl::recordBreakGlass(std::string_view rule) { break_glass_.increment({rule}); }

void MetricsImpl::recordBreakGlassUnaudited() { break_glass_unaudited_.fetch_add(1); }

void MetricsImpl::recordHttpRequest(std::string_view path, int code) {
  http_requests_.increment({path, StatusCodeText(code).view()});
}

void MetricsImpl::recordPolicyReload(bool success) { policy_reloads_.increment({resultLabel(success)}); }

void MetricsImpl::recordTlsReload(bool success) { tls_reloads_.increment({resultLabel(success)}); }

void MetricsImpl::setCertificateExpiry(double unix_seconds) {
  certificate_expiry_.store(unix_seconds);
  certificate_expiry_known_.store(true);
}

void MetricsImpl::recordInternalError(std::string_view where) { internal_errors_.increment({where}); }

void MetricsImpl::declareAuditDestination(std::string_view destination) {
  audit_backlog_.declare({destination});
  audit_dropped_.declare({destination});
  audit_write_errors_.declare({destination});
}

void MetricsImpl::setAuditBacklog(std::string_view destination, std::size_t lines) {
  audit_backlog_.set({destination}, static_cast<double>(lines));
}

void MetricsImpl::recordAuditDropped(std::string_view destination) { audit_dropped_.increment({destination}); }

void MetricsImpl::recordAuditWriteError(std::string_view destination) {
  audit_write_errors_.increment({destination});
}

void MetricsImpl::recordConnectionTimedOut() { connections_timed_out_.fetch_add(1); }

void MetricsImpl::setClusterStateSynced(std::string_view kind, bool synced) {
  cluster_state_synced_.set({kind}, synced ? 1 : 0);
}

void MetricsImpl::setClusterStateObjects(std::string_view kind, std::size_t objects) {
  cluster_state_objects_.set({kind}, static_cast<double>(objects));
}

void MetricsImpl::recordWatchRestart(std::string_view kind, std::string_view reason) {
  watch_restarts_.increment({kind, reason});
}

void MetricsImpl::recordRuleError(std::string_view rule) { rule_errors_.increment({rule}); }

void MetricsImpl::recordBadObject(std::string_view kind) { bad_objects_.increment({kind}); }

std::uint64_t MetricsImpl::ruleErrors(std::string_view rule) const { return rule_errors_.find({rule}).value_or(0); }

std::uint64_t MetricsImpl::badObjects(std::string_view kind) const { return bad_objects_.find({kind}).value_or(0); }

void MetricsImpl::recordClusterStateEvent(std::string_view kind) { last_event_seconds_.set({kind}, steadySeconds()); }

std::string MetricsImpl::exposition() const {
  std::string out;
  out.reserve(8192);
  appendCounters<5>(out, kAdmissionRequests, {"webhook", "kind", "operation", "decision", "dry_run"},
                    admission_requests_);
  appendHeader(out, kAdmissionDuration);
  admission_duration_.appendSamples(out, kAdmissionDuration.name);
  appendCounters<2>(out, kRuleFindings, {"rule", "action"}, rule_findings_);
  appendCounters<1>(out, kRuleErrors, {"rule"}, rule_errors_);
  appendCounters<1>(out, kMutations, {"rule"}, mutations_);
  appendCounters<1>(out, kBreakGlass, {"rule"}, break_glass_);
  appendHeader(out, kBreakGlassUnaudited);
  prometheus::appendSample(out, kBreakGlassUnaudited.name, {}, break_glass_unaudited_.load());
  appendCounters<2>(out, kHttpRequests, {"path", "code"}, http_requests_);
  appendCounters<1>(out, kPolicyReloads, {"result"}, policy_reloads_);
  appendCounters<1>(out, kTlsReloads, {"result"}, tls_reloads_);
  appendHeader(out, kCertificateExpiry);
  if (certificate_expiry_known_.load()) {
    prometheus::appendSample(out, kCertificateExpiry.name, {}, certificate_expiry_.load());
  }
  appendCounters<1>(out, kInternalErrors, {"where"}, internal_errors_);
  appendHeader(out, kAuditWriteFailures);
  prometheus::appendSample(out, kAuditWriteFailures.name, {}, auditWriteFailures());
  appendCounters<1>(out, kAuditWriteErrors, {"destination"}, audit_write_errors_);
  appendGauges<1>(out, kAuditBacklog, {"destination"}, audit_backlog_, asIs);
  appendCounters<1>(out, kAuditDropped, {"destination"}, audit_dropped_);
  appendHeader(out, kConnectionsTimedOut);
  prometheus::appendSample(out, kConnectionsTimedOut.name, {}, connections_timed_out_.load());
  appendGauges<1>(out, kClusterStateSynced, {"kind"}, cluster_state_synced_, asIs);
  appendGauges<1>(out, kClusterStateObjects, {"kind"}, cluster_state_objects_, asIs);
  appendCounters<2>(out, kWatchRestarts, {"kind", "reason"}, watch_restarts_);
  appendCounters<1>(out, kBadObjects, {"kind"}, bad_objects_);
  appendGauges<1>(out, kLastEventAge, {"kind"}, last_event_seconds_, secondsSinceSteady);
  appendHeader(out, kBuildInfo);
  prometheus::appendSample(out, kBuildInfo.name, {{"version", MESHWARD_VERSION}}, std::uint64_t{1});
  return out;
}

std::uint64_t MetricsImpl::httpRequests(std::string_view path, int code) const {
  return http_requests_.find({path, StatusCodeText(code).view()}).value_or(0);
}

std::uint64_t MetricsImpl::policyReloads(bool success) const { return policy_reloads_.find({resultLabel(success)}).value_or(0); }

std::uint64_t MetricsImpl::tlsReloads(bool success) const { return tls_reloads_.find({resultLabel(success)}).value_or(0); }

std::uint64_t MetricsImpl::internalErrors(std::string_view where) const { return internal_errors_.find({where}).value_or(0); }

std::uint64_t MetricsImpl::admissions() const { return admission_duration_.count(); }

std::uint64_t MetricsImpl::connectionsTimedOut() const { return connections_timed_out_.load(); }

std::uint64_t MetricsImpl::auditWriteFailures() const {
  std::uint64_t total = 0;
  for (const auto& [destination, errors] : audit_write_errors_.snapshot()) {
    total += errors;
  }
  return total;
}

std::optional<double> MetricsImpl::auditBacklog(std::string_view destination) const {
  return audit_backlog_.find({destination});
}

std::uint64_t MetricsImpl::auditDropped(std::string_view destination) const {
  return audit_dropped_.find({destination}).value_or(0);
}

std::uint64_t MetricsImpl::auditWriteErrors(std::string_view destination) const {
  return audit_write_errors_.find({destination}).value_or(0);
}

std::uint64_t MetricsImpl::breakGlassUnaudited() const { return break_glass_unaudited_.load(); }

std::uint64_t MetricsImpl::watchRestarts(std::string_view kind, std::string_view reason) const {
  return watch_restarts_.find({kind, reason}).value_or(0);
}

std::optional<double> MetricsImpl::clusterStateObjects(std::string_view kind) const {
  return cluster_state_objects_.find({kind});
}

std::optional<bool> MetricsImpl::clusterStateSynced(std::string_view kind) const {
  const std::optional<double> value = cluster_state_synced_.find({kind});
  return value ? std::optional<bool>(*value != 0) : std::nullopt;
}

Metrics& metrics() {
  static MetricsImpl instance;
  return instance;
}

}  // namespace meshward::server
