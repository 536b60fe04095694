#include "policies/sidecar_memory/sidecar_memory_rule.h"

#include "policies/common/json_fields.h"
#include "policies/common/quantity.h"
#include "policies/common/quantity_field.h"
#include "policies/common/sidecar_injection.h"
#include "policies/common/workload.h"
#include "policies/sidecar_memory/proxy_memory.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kMinLimit = "minProxyMemoryLimit";
constexpr std::string_view kMinRequest = "minProxyMemoryRequest";
constexpr std::string_view kIstioDefaultLimit = "istioDefaultProxyMemoryLimit";
constexpr std::string_view kIstioDefaultRequest = "istioDefaultProxyMemoryRequest";
constexpr std::string_view kLinkerdDefaultLimit = "linkerdDefaultProxyMemoryLimit";
constexpr std::string_view kLinkerdDefaultRequest = "linkerdDefaultProxyMemoryRequest";
constexpr std::string_view kAppContainerAction = "appContainerWithoutLimitAction";

// What happens to a proxy that runs out of memory, per mesh.
std::string_view consequence(const ProxyMemory& memory) {
  if (memory.container == kIstioProxyContainer) {
    return "Envoy sidecars use 150-300 MB and will be OOMKilled";
  }
  return "the proxy will be OOMKilled under load and the pod loses all its traffic";
}

std::string howToRaise(const ProxyMemory& memory, const MemorySetting& setting, bool limit, std::int64_t minimum,
                       std::string_view pod_noun) {
  const std::string value = "\"" + formatBytes(minimum) + "\" (or more)";
  if (setting.origin == MemoryOrigin::ProxyContainer) {
    return "Set resources." + std::string(limit ? "limits" : "requests") + ".memory: " + value + " on the " +
           std::string(memory.container) + " container.";
  }
  const std::string_view annotation = limit ? memory.limit_annotation : memory.request_annotation;
  std::string fix = "Set the annotation " + std::string(annotation) + ": " + value + " on the " + std::string(pod_noun);
  if (setting.origin == MemoryOrigin::NamespaceAnnotation) {
    fix += " or the namespace";
  }
  return fix + ".";
}

struct Thresholds {
  std::int64_t min_limit_bytes;    // -1: not checked
  std::int64_t min_request_bytes;  // -1: not checked
};

void checkProxy(const ProxyMemory& memory, const Thresholds& thresholds, const std::string& workload,
                std::string_view pod_noun, Report& report) {
  for (const InvalidMemoryValue& invalid : memory.invalid) {
    report.finding(messages::InvalidMemoryQuantity,
                   workload + ": " + invalid.location + " is '" + invalid.value +
                       "', which is not a Kubernetes quantity, so the " + std::string(memory.container) +
                       " sidecar cannot be created as intended. Use a quantity such as \"256Mi\".");
  }
  const std::string sidecar = "the " + std::string(memory.container) + " sidecar's";
  bool limit_reported = false;
  if (memory.limit.bytes && thresholds.min_limit_bytes >= 0 && *memory.limit.bytes < thresholds.min_limit_bytes) {
    limit_reported = true;
    report.finding(messages::ProxyMemoryLimitTooLow,
                   workload + ": " + sidecar + " memory limit " + formatBytes(*memory.limit.bytes) + " (" +
                       memory.limit.location + ") is below the " + formatBytes(thresholds.min_limit_bytes) +
                       " minimum; " + std::string(consequence(memory)) + ". " +
                       howToRaise(memory, memory.limit, true, thresholds.min_limit_bytes, pod_noun));
  }
  if (thresholds.min_request_bytes < 0 || memory.request.invalid) {
    return;
  }
  if (memory.request.bytes) {
    if (*memory.request.bytes < thresholds.min_request_bytes) {
      report.finding(messages::ProxyMemoryRequestTooLow,
                     workload + ": " + sidecar + " memory request " + formatBytes(*memory.request.bytes) + " (" +
                         memory.request.location + ") is below the " + formatBytes(thresholds.min_request_bytes) +
                         " minimum; the scheduler reserves too little, so under node memory pressure the pod is "
                         "evicted first. " +
                         howToRaise(memory, memory.request, false, thresholds.min_request_bytes, pod_noun));
    }
    return;
  }
  // Kubernetes sets an unset request to the limit.
  if (memory.limit.bytes && *memory.limit.bytes < thresholds.min_request_bytes && !limit_reported) {
    report.finding(messages::ProxyMemoryRequestTooLow,
                   workload + ": " + sidecar + " memory request is unset, so Kubernetes uses its limit " +
                       formatBytes(*memory.limit.bytes) + ", below the " + formatBytes(thresholds.min_request_bytes) +
                       " minimum; under node memory pressure the pod is evicted first. " +
                       howToRaise(memory, memory.request, false, thresholds.min_request_bytes, pod_noun));
  }
}

void checkApplicationContainers(const PodTemplate& pod, std::string_view proxies, const std::string& workload,
                                Action action, Report& report) {
  for (const ContainerRef& container : podContainers(pod)) {
    if (!container.runsWithApplication() || container.name == kIstioProxyContainer ||
        container.name == kLinkerdProxyContainer) {
      continue;
    }
    const nlohmann::json* limit = member(objectMember(objectMember(container.spec, "resources"), "limits"), "memory");
    const QuantityField field = readQuantityField(limit);
    if (field.invalid()) {
      report.finding(
          messages::InvalidMemoryQuantity,
          workload + ": resources.limits.memory of " + container.displayName() + " is '" + field.text +
              "', which is not a Kubernetes quantity; the API server will reject the pod. Use a quantity such as "
              "\"512Mi\".");
    } else if (!field.valid()) {
      report.finding(messages::AppContainerWithoutMemoryLimit,
                     workload + ": " + container.displayName() + " has no memory limit and runs next to the " +
                         std::string(proxies) +
                         "; if it grows until the node runs short of memory, the whole pod is evicted or "
                         "OOM-killed, proxy included. Set resources.limits.memory on " +
                         container.displayName() + ".",
                     action);
    }
  }
}

}  // namespace

const RuleMetadata& SidecarMemoryRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "sidecar-memory",
      .type = RuleType::Validating,
      .kinds = podWorkloadKinds(),
      .operations = {"CREATE", "UPDATE"},
      .default_action = Action::Deny,
      .description = "Stops Istio/Linkerd sidecars whose memory limit or request is too small to run the proxy.",
      .codes = {messages::ProxyMemoryLimitTooLow, messages::ProxyMemoryRequestTooLow,
                messages::AppContainerWithoutMemoryLimit, messages::InvalidMemoryQuantity},
      .parameters =
          {
              {kMinLimit, ParamType::Quantity, "256Mi",
               "Smallest memory limit a sidecar proxy may have; empty disables the check."},
              {kMinRequest, ParamType::Quantity, "128Mi",
               "Smallest memory request a sidecar proxy may have (an unset request equals the limit); empty "
               "disables the check."},
              {kIstioDefaultLimit, ParamType::Quantity, "1Gi",
               "Memory limit Istio gives a proxy when the pod sets no sidecar.istio.io/proxy* resource annotation "
               "(global.proxy.resources); empty means unset."},
              {kIstioDefaultRequest, ParamType::Quantity, "128Mi",
               "Memory request Istio gives a proxy when the pod sets no sidecar.istio.io/proxy* resource annotation; "
               "empty means unset."},
              {kLinkerdDefaultLimit, ParamType::Quantity, "",
               "Memory limit Linkerd gives a proxy without a config.linkerd.io/proxy-memory-limit annotation; empty "
               "(stored as -1) means unset."},
              {kLinkerdDefaultRequest, ParamType::Quantity, "",
               "Memory request Linkerd gives a proxy without a config.linkerd.io/proxy-memory-request annotation; "
               "empty (stored as -1) means unset."},
              {kAppContainerAction, ParamType::Action, "warn",
               "Action for an application container without a memory limit next to a sidecar."},
          },
  };
  return metadata;
}

void SidecarMemoryRule::evaluate(const RuleContext& context, Report& report) const {
  const std::optional<PodTemplate> pod = findPodTemplate(context.request.kind, context.object);
  if (!pod) {
    return;
  }
  const std::optional<cluster::NamespaceInfo> namespace_info =
      context.cluster.findNamespace(objectNamespace(context.request, context.object));
  const SidecarInjection sidecars = detectSidecars(*pod, namespace_info);
  if (!sidecars.any()) {
    return;
  }
  const RuleSettings& settings = context.settings;
  const Thresholds thresholds{settings.quantityBytes(kMinLimit), settings.quantityBytes(kMinRequest)};
  const std::string workload = describeWorkload(context.request, context.object);
  if (sidecars.istio) {
    const MeshMemoryDefaults defaults{settings.quantityBytes(kIstioDefaultRequest),
                                      settings.quantityBytes(kIstioDefaultLimit), kIstioDefaultRequest,
                                      kIstioDefaultLimit};
    checkProxy(istioProxyMemory(*pod, defaults), thresholds, workload, pod->noun(), report);
  }
  if (sidecars.linkerd) {
    const MeshMemoryDefaults defaults{settings.quantityBytes(kLinkerdDefaultRequest),
                                      settings.quantityBytes(kLinkerdDefaultLimit), kLinkerdDefaultRequest,
                                      kLinkerdDefaultLimit};
    checkProxy(linkerdProxyMemory(*pod, namespace_info, defaults), thresholds, workload, pod->noun(), report);
  }
  const std::string_view proxies = sidecars.istio && sidecars.linkerd ? "istio-proxy and linkerd-proxy sidecars"
                                   : sidecars.istio                   ? "istio-proxy sidecar"
                                                                      : "linkerd-proxy sidecar";
  checkApplicationContainers(*pod, proxies, workload, settings.actionParam(kAppContainerAction), report);
}

}  // namespace meshward::policies
