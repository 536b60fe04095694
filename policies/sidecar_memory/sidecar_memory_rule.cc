#include "policies/sidecar_memory/sidecar_memory_rule.h"

#include "webhook/common/json_fields.h"
#include "webhook/common/quantity.h"
#include "policies/common/quantity_field.h"
#include "policies/common/pod_preamble.h"
#include "policies/meshes/istio.h"
#include "policies/meshes/linkerd.h"
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
  if (memory.container == istio::kProxyContainer) {
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
  std::optional<std::int64_t> min_limit_bytes;  // nullopt: not checked
  std::optional<std::int64_t> min_request_bytes;
};

struct SidecarMemoryConfig final : RuleConfig {
  Thresholds thresholds;
  MeshMemoryDefaults istio;
  MeshMemoryDefaults linkerd;
  Action app_container_action = Action::Warn;
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
  if (memory.limit.bytes && thresholds.min_limit_bytes && *memory.limit.bytes < *thresholds.min_limit_bytes) {
    limit_reported = true;
    report.finding(messages::ProxyMemoryLimitTooLow,
                   workload + ": " + sidecar + " memory limit " + formatBytes(*memory.limit.bytes) + " (" +
                       memory.limit.location + ") is below the " + formatBytes(*thresholds.min_limit_bytes) +
                       " minimum; " + std::string(consequence(memory)) + ". " +
                       howToRaise(memory, memory.limit, true, *thresholds.min_limit_bytes, pod_noun));
  }
  if (!thresholds.min_request_bytes || memory.request.invalid) {
    return;
  }
  const std::int64_t min_request_bytes = *thresholds.min_request_bytes;
  if (memory.request.bytes) {
    if (*memory.request.bytes < min_request_bytes) {
      report.finding(messages::ProxyMemoryRequestTooLow,
                     workload + ": " + sidecar + " memory request " + formatBytes(*memory.request.bytes) + " (" +
                         memory.request.location + ") is below the " + formatBytes(min_request_bytes) +
                         " minimum; the scheduler reserves too little, so under node memory pressure the pod is "
                         "evicted first. " +
                         howToRaise(memory, memory.request, false, min_request_bytes, pod_noun));
    }
    return;
  }
  // Kubernetes sets an unset request to the limit.
  if (memory.limit.bytes && *memory.limit.bytes < min_request_bytes && !limit_reported) {
    report.finding(messages::ProxyMemoryRequestTooLow,
                   workload + ": " + sidecar + " memory request is unset, so Kubernetes uses its limit " +
                       formatBytes(*memory.limit.bytes) + ", below the " + formatBytes(min_request_bytes) +
                       " minimum; under node memory pressure the pod is evicted first. " +
                       howToRaise(memory, memory.request, false, min_request_bytes, pod_noun));
  }
}

void checkApplicationContainers(const PodTemplate& pod, std::string_view proxies, const std::string& workload,
                                Action action, Report& report) {
  for (const ContainerRef& container : podContainers(pod)) {
    if (!container.runsWithApplication() || isProxyContainer(container.name)) {
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
               "means unset."},
              {kLinkerdDefaultRequest, ParamType::Quantity, "",
               "Memory request Linkerd gives a proxy without a config.linkerd.io/proxy-memory-request annotation; "
               "empty means unset."},
              {kAppContainerAction, ParamType::Action, "warn",
               "Action for an application container without a memory limit next to a sidecar."},
          },
      .inputs = {{cluster::kinds::Namespace, false}},
      .reads = podPreambleReads(),
      .indexes = {},
      .meshes = {Mesh::Istio, Mesh::Linkerd},
  };
  return metadata;
}

Result<std::shared_ptr<const RuleConfig>> SidecarMemoryRule::configure(const RuleSettings& settings) const {
  auto config = std::make_shared<SidecarMemoryConfig>();
  config->thresholds = {settings.quantityBytes(kMinLimit), settings.quantityBytes(kMinRequest)};
  config->istio = {settings.quantityBytes(kIstioDefaultRequest), settings.quantityBytes(kIstioDefaultLimit),
                   kIstioDefaultRequest, kIstioDefaultLimit};
  config->linkerd = {settings.quantityBytes(kLinkerdDefaultRequest), settings.quantityBytes(kLinkerdDefaultLimit),
                     kLinkerdDefaultRequest, kLinkerdDefaultLimit};
  config->app_container_action = settings.actionParam(kAppContainerAction);
  return std::shared_ptr<const RuleConfig>(std::move(config));
}

void SidecarMemoryRule::evaluate(const RuleContext& context, Report& report) const {
  const std::shared_ptr<const PodPreamble> preamble = podPreamble(context);
  const bool istio = preamble->runsProxy(Mesh::Istio);
  const bool linkerd = preamble->runsProxy(Mesh::Linkerd);
  if (!istio && !linkerd) {
    return;
  }
  const PodTemplate& pod = *preamble->pod;
  const SidecarMemoryConfig& config = context.config<SidecarMemoryConfig>();
  const std::string workload = describeObject(context.request, context.object);
  if (istio) {
    checkProxy(istioProxyMemory(pod, config.istio), config.thresholds, workload, pod.noun(), report);
  }
  if (linkerd) {
    checkProxy(linkerdProxyMemory(pod, preamble->namespace_info, config.linkerd), config.thresholds, workload,
               pod.noun(), report);
  }
  const std::string_view proxies = istio && linkerd ? "istio-proxy and linkerd-proxy sidecars"
                                   : istio          ? "istio-proxy sidecar"
                                                    : "linkerd-proxy sidecar";
  checkApplicationContainers(pod, proxies, workload, config.app_container_action, report);
}

}  // namespace meshward::policies
