#include "policies/sidecar_memory/proxy_memory.h"

#include "webhook/common/json_fields.h"
#include "policies/common/quantity_field.h"
#include "policies/meshes/istio.h"
#include "policies/meshes/linkerd.h"

namespace meshward::policies {
namespace {

// Stores `field` into `setting`, recording a value Kubernetes cannot parse.
void assign(const QuantityField& field, MemoryOrigin origin, std::string location, MemorySetting& setting,
            ProxyMemory& memory) {
  setting.origin = origin;
  setting.location = std::move(location);
  if (field.valid()) {
    setting.bytes = field.bytes;
  } else if (field.invalid()) {
    setting.invalid = true;
    memory.invalid.push_back(InvalidMemoryValue{setting.location, field.text});
  }
}

MemorySetting meshDefault(std::optional<std::int64_t> bytes, std::string_view parameter) {
  MemorySetting setting;
  setting.origin = MemoryOrigin::MeshDefault;
  setting.location = "mesh default from policy parameter " + std::string(parameter);
  setting.bytes = bytes;
  return setting;
}

// True when the proxy container exists and says anything about memory: then it is what runs.
bool readProxyContainer(const PodTemplate& pod, ProxyMemory& memory) {
  const std::optional<ContainerRef> proxy = findLongRunningContainer(pod, memory.container);
  if (!proxy) {
    return false;
  }
  const nlohmann::json* resources = objectMember(proxy->spec, "resources");
  const nlohmann::json* request = member(objectMember(resources, "requests"), "memory");
  const nlohmann::json* limit = member(objectMember(resources, "limits"), "memory");
  const QuantityField request_field = readQuantityField(request);
  const QuantityField limit_field = readQuantityField(limit);
  if (request_field.state == QuantityField::State::Absent && limit_field.state == QuantityField::State::Absent) {
    return false;
  }
  const std::string container = "of the " + std::string(memory.container) + " container";
  assign(request_field, MemoryOrigin::ProxyContainer, "resources.requests.memory " + container, memory.request, memory);
  assign(limit_field, MemoryOrigin::ProxyContainer, "resources.limits.memory " + container, memory.limit, memory);
  return true;
}

std::string annotationLocation(std::string_view key) { return "annotation " + std::string(key); }

void readLinkerdValue(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info,
                      std::string_view key, std::optional<std::int64_t> default_bytes, std::string_view parameter,
                      MemorySetting& setting, ProxyMemory& memory) {
  if (const nlohmann::json* value = pod.annotationValue(key); value != nullptr && !value->is_null()) {
    assign(readQuantityField(value), MemoryOrigin::PodAnnotation, annotationLocation(key), setting, memory);
    return;
  }
  if (namespace_info) {
    if (const auto found = namespace_info->annotations.find(key); found != namespace_info->annotations.end()) {
      const nlohmann::json value = found->second;
      assign(readQuantityField(&value), MemoryOrigin::NamespaceAnnotation,
             annotationLocation(key) + " on namespace " + namespace_info->name, setting, memory);
      return;
    }
  }
  setting = meshDefault(default_bytes, parameter);
}

}  // namespace

ProxyMemory istioProxyMemory(const PodTemplate& pod, const MeshMemoryDefaults& defaults) {
  ProxyMemory memory;
  memory.container = istio::kProxyContainer;
  memory.request_annotation = kIstioProxyMemoryAnnotation;
  memory.limit_annotation = kIstioProxyMemoryLimitAnnotation;
  if (readProxyContainer(pod, memory)) {
    return memory;
  }
  const bool annotations_decide = pod.annotationValue(kIstioProxyCpuAnnotation) != nullptr ||
                                  pod.annotationValue(kIstioProxyMemoryAnnotation) != nullptr ||
                                  pod.annotationValue(kIstioProxyCpuLimitAnnotation) != nullptr ||
                                  pod.annotationValue(kIstioProxyMemoryLimitAnnotation) != nullptr;
  if (annotations_decide) {
    assign(readQuantityField(pod.annotationValue(kIstioProxyMemoryAnnotation)), MemoryOrigin::PodAnnotation,
           annotationLocation(kIstioProxyMemoryAnnotation), memory.request, memory);
    assign(readQuantityField(pod.annotationValue(kIstioProxyMemoryLimitAnnotation)), MemoryOrigin::PodAnnotation,
           annotationLocation(kIstioProxyMemoryLimitAnnotation), memory.limit, memory);
    return memory;
  }
  memory.request = meshDefault(defaults.request_bytes, defaults.request_parameter);
  memory.limit = meshDefault(defaults.limit_bytes, defaults.limit_parameter);
  return memory;
}

ProxyMemory linkerdProxyMemory(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info,
                               const MeshMemoryDefaults& defaults) {
  ProxyMemory memory;
  memory.container = linkerd::kProxyContainer;
  memory.request_annotation = kLinkerdProxyMemoryRequestAnnotation;
  memory.limit_annotation = kLinkerdProxyMemoryLimitAnnotation;
  if (readProxyContainer(pod, memory)) {
    return memory;
  }
  readLinkerdValue(pod, namespace_info, kLinkerdProxyMemoryRequestAnnotation, defaults.request_bytes,
                   defaults.request_parameter, memory.request, memory);
  readLinkerdValue(pod, namespace_info, kLinkerdProxyMemoryLimitAnnotation, defaults.limit_bytes,
                   defaults.limit_parameter, memory.limit, memory);
  return memory;
}

}  // namespace meshward::policies
