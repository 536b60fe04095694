#pragma once
// One admission request from body to response: decode the AdmissionReview, evaluate it with
// the current policy, write the audit record (before the response leaves; a stalled audit
// destination is waited for only up to its bound), count it, encode the answer. An audit fault
// fails open (the decision stands; the loss is counted and logged) except for a break-glass
// bypass whose record reached no destination at all: that fails closed (denied, counted in
// meshward_break_glass_unaudited_total). A malformed review is a 400; anything thrown inside is
// a 500 and a counter, and the next request is served normally.

#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "policies/policy.h"
#include "policies/rule.h"
#include "webhook/admission/admission_review.h"
#include "webhook/admission/decision.h"
#include "webhook/admission/review_decoder.h"
#include "webhook/audit/audit_log.h"
#include "webhook/server/rule_error_log.h"
#include "webhook/cluster/cluster_state.h"
#include "webhook/server/http_reply.h"
#include "webhook/common/metrics.h"
#include "webhook/server/policy_store.h"

namespace meshward::server {

using Evaluator = std::function<admission::Decision(policies::RuleType, const admission::AdmissionRequest&,
                                                    const policies::Policy&, const cluster::ClusterState&)>;

// admission::evaluate over the registered rules.
Evaluator engineEvaluator();

// "validate" or "mutate" (the route's name): the webhook in audit records and metric labels.
std::string_view webhookName(policies::RuleType webhook);

class AdmissionHandler {
 public:
  // `audit_log` may be null (no audit); everything else must outlive the handler.
  AdmissionHandler(const PolicyStore& policies, const cluster::ClusterState& cluster, audit::AuditLog* audit_log,
                   Metrics& metrics, Evaluator evaluator = engineEvaluator());

  // Never throws.
  HttpReply handle(policies::RuleType webhook, std::string_view body) const;

 private:
  HttpReply decide(policies::RuleType webhook, const admission::AdmissionRequest& request) const;
  void recordMetrics(policies::RuleType webhook, const admission::AdmissionRequest& request,
                     const admission::Decision& decision, double seconds) const;

  const PolicyStore& policies_;
  const cluster::ClusterState& cluster_;
  audit::AuditLog* audit_log_;
  Metrics& metrics_;
  Evaluator evaluator_;
  std::set<std::string, std::less<>> known_kinds_;  // metric labels stay bounded
  admission::ReviewDecoder decoder_;  // builds what the registered rules read of reviewed objects
  mutable RuleErrorLog rule_errors_;
};

}  // namespace meshward::server
