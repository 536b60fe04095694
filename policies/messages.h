#pragma once
// The message catalogue: every code meshward can report, declared once. Codes are stable
// and never reused (users grep for them and silence them by code); retire a code by
// leaving it here with "(retired)" in its title.

#include <string_view>
#include <vector>

namespace meshward::policies {

struct MessageCode {
  std::string_view code;
  std::string_view name;
  std::string_view title;
};

#define MESHWARD_MESSAGES(MESSAGE)                                                                  \
  MESSAGE(BreakGlassNotAuthorized, "MW0001", "break-glass requested by a user who may not break glass") \
  MESSAGE(BreakGlassReasonMissing, "MW0002", "break-glass label without a meshward.dev/break-glass-reason") \
  MESSAGE(ClusterStateUnavailable, "MW0003", "the rule needs cluster state that meshward does not have") \
  MESSAGE(RuleFailed, "MW0004", "a rule failed on the request; the policy's onError action stands in for its judgement") \
  MESSAGE(BreakGlassExpired, "MW0005", "break-glass past its meshward.dev/break-glass-expires or the policy's breakGlass.maxDuration") \
  MESSAGE(ProxyMemoryLimitTooLow, "MW0101", "sidecar proxy memory limit below the policy minimum")     \
  MESSAGE(ProxyMemoryRequestTooLow, "MW0102", "sidecar proxy memory request below the policy minimum") \
  MESSAGE(AppContainerWithoutMemoryLimit, "MW0103", "application container without a memory limit next to a sidecar") \
  MESSAGE(InvalidMemoryQuantity, "MW0104", "memory quantity that Kubernetes cannot parse")             \
  MESSAGE(ProxyConfigAnnotationInvalid, "MW0201", "proxy.istio.io/config annotation is not valid YAML") \
  MESSAGE(ProxyDefaultsNotApplied, "MW0202", "Istio sidecar without the proxy start-up and drain defaults") \
  MESSAGE(RollingUpdateMayDropMeshTraffic, "MW0301", "rolling update may take meshed pods down before replacements are ready") \
  MESSAGE(StrictMtlsForPodsWithoutSidecar, "MW0401", "STRICT mTLS would apply to running pods that have no sidecar") \
  MESSAGE(VirtualServiceSubsetNotFound, "MW0501", "VirtualService routes to a subset no visible DestinationRule defines (IST0101)") \
  MESSAGE(VirtualServiceGatewayNotFound, "MW0502", "VirtualService binds to a Gateway that does not exist (IST0101)") \
  MESSAGE(SubsetStillReferenced, "MW0601", "DestinationRule change removes a subset VirtualServices still route to") \
  MESSAGE(GatewayStillReferenced, "MW0602", "Gateway deletion while VirtualServices still bind to it") \
  MESSAGE(SyncWaveBeforeReference, "MW0701", "VirtualService synced in the same or an earlier wave than what it references") \
  MESSAGE(SyncWaveRemovalBeforeChange, "MW0702", "DestinationRule change synced before the VirtualService change that stops using it") \
  MESSAGE(AuthorizationPolicyAllowsNothing, "MW0801", "ALLOW AuthorizationPolicy without rules on workloads no other ALLOW policy admits anything to") \
  MESSAGE(AuthorizationPolicyDeniesEverything, "MW0802", "DENY AuthorizationPolicy whose rule matches every request to running workloads") \
  MESSAGE(AuthorizationPolicyNeedsCallerIdentity, "MW0803", "ALLOW AuthorizationPolicy that admits only mTLS identities its sidecar-less callers cannot present") \
  MESSAGE(AuthorizationPolicyLastAllowRemoved, "MW0804", "AuthorizationPolicy change removes the only ALLOW admitting traffic under a default deny") \
  MESSAGE(RevisionStillInUse, "MW0901", "deleting a control-plane revision's istiod while namespaces or pods still select it") \
  MESSAGE(RevisionWithoutInjector, "MW0902", "istio.io/rev names a revision or tag that no sidecar injector serves") \
  MESSAGE(InjectionRemovedUnderStrict, "MW0903", "namespace leaves sidecar injection while STRICT mTLS or AuthorizationPolicies cover its pods") \
  MESSAGE(InjectionRemoved, "MW0904", "namespace leaves sidecar injection: its pods lose their sidecar at the next rollout") \
  MESSAGE(HighRiskChangeByNonOwner, "MW1001", "high-risk mesh change by a user who does not own its category") \
  MESSAGE(HighRiskChangeOutsideWindow, "MW1002", "high-risk mesh change outside every maintenance window") \
  MESSAGE(ServicePortProtocolMismatch, "MW2001", "mesh Service port whose name or appProtocol makes Istio pick the wrong protocol")

namespace messages {
#define MESHWARD_DECLARE_MESSAGE(name_, code_, title_) inline constexpr MessageCode name_{code_, #name_, title_};
MESHWARD_MESSAGES(MESHWARD_DECLARE_MESSAGE)
#undef MESHWARD_DECLARE_MESSAGE
}  // namespace messages

// Every code, in catalogue order.
const std::vector<MessageCode>& allMessages();

}  // namespace meshward::policies
