#include "policies/common/workload.h"

#include <algorithm>
#include <array>

#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

struct TemplateLocation {
  cluster::KindInfo kind;
  std::string_view pointer;
};

const std::vector<TemplateLocation>& templateLocations() {
  static const std::vector<TemplateLocation> locations = {
      {cluster::kinds::Pod, ""},
      {cluster::kinds::Deployment, "/spec/template"},
      {cluster::kinds::StatefulSet, "/spec/template"},
      {cluster::kinds::DaemonSet, "/spec/template"},
      {cluster::kinds::ReplicaSet, "/spec/template"},
      {cluster::kinds::Job, "/spec/template"},
      {cluster::kinds::CronJob, "/spec/jobTemplate/spec/template"},
  };
  return locations;
}

const nlohmann::json* objectAtPointer(const nlohmann::json& object, std::string_view pointer) {
  const nlohmann::json* current = &object;
  while (!pointer.empty()) {
    pointer.remove_prefix(1);
    const size_t slash = pointer.find('/');
    current = objectMember(current, pointer.substr(0, slash));
    if (current == nullptr) {
      return nullptr;
    }
    pointer = slash == std::string_view::npos ? std::string_view{} : pointer.substr(slash);
  }
  return current->is_object() ? current : nullptr;
}

void collectContainers(const nlohmann::json* spec, std::string_view list, bool init,
                       std::vector<ContainerRef>& containers) {
  const nlohmann::json* entries = arrayMember(spec, list);
  if (entries == nullptr) {
    return;
  }
  for (std::size_t index = 0; index < entries->size(); ++index) {
    const nlohmann::json& entry = (*entries)[index];
    if (!entry.is_object()) {
      continue;
    }
    ContainerRef container;
    container.name = std::string(stringMember(&entry, "name").value_or(""));
    container.spec = &entry;
    container.init = init;
    container.restart_always = init && stringMember(&entry, "restartPolicy") == "Always";
    container.index = index;
    containers.push_back(std::move(container));
  }
}

}  // namespace

const std::vector<cluster::KindInfo>& podWorkloadKinds() {
  static const std::vector<cluster::KindInfo> kinds = [] {
    std::vector<cluster::KindInfo> all;
    for (const TemplateLocation& location : templateLocations()) {
      all.push_back(location.kind);
    }
    return all;
  }();
  return kinds;
}

std::optional<std::string_view> podTemplatePointer(std::string_view kind) {
  for (const TemplateLocation& location : templateLocations()) {
    if (location.kind.kind == kind) {
      return location.pointer;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> PodTemplate::label(std::string_view key) const {
  return stringMember(objectMember(metadata, "labels"), key);
}

std::optional<std::string_view> PodTemplate::annotation(std::string_view key) const {
  return stringMember(objectMember(metadata, "annotations"), key);
}

const nlohmann::json* PodTemplate::annotationValue(std::string_view key) const {
  return member(objectMember(metadata, "annotations"), key);
}

std::optional<PodTemplate> findPodTemplate(std::string_view kind, const nlohmann::json& object) {
  const std::optional<std::string_view> pointer = podTemplatePointer(kind);
  if (!pointer) {
    return std::nullopt;
  }
  const nlohmann::json* node = objectAtPointer(object, *pointer);
  if (node == nullptr) {
    return std::nullopt;
  }
  PodTemplate pod;
  pod.pointer = std::string(*pointer);
  pod.node = node;
  pod.metadata = objectMember(node, "metadata");
  pod.spec = objectMember(node, "spec");
  return pod;
}

std::string ContainerRef::displayName() const {
  if (!name.empty()) {
    return "container \"" + name + "\"";
  }
  return std::string(init ? "initContainers[" : "containers[") + std::to_string(index) + "]";
}

std::vector<ContainerRef> podContainers(const PodTemplate& pod) {
  std::vector<ContainerRef> containers;
  collectContainers(pod.spec, "containers", false, containers);
  collectContainers(pod.spec, "initContainers", true, containers);
  return containers;
}

std::optional<ContainerRef> findLongRunningContainer(const PodTemplate& pod, std::string_view name) {
  for (ContainerRef& container : podContainers(pod)) {
    if (container.name == name && container.runsWithApplication()) {
      return std::move(container);
    }
  }
  return std::nullopt;
}

std::string objectNamespace(const RequestFacts& request, const nlohmann::json& object) {
  if (!request.namespace_name.empty()) {
    return request.namespace_name;
  }
  return std::string(stringMember(objectMember(&object, "metadata"), "namespace").value_or(""));
}

cluster::Labels labelsAt(const nlohmann::json* metadata) {
  cluster::Labels labels;
  const nlohmann::json* entries = objectMember(metadata, "labels");
  if (entries == nullptr) {
    return labels;
  }
  for (const auto& [key, value] : entries->items()) {
    if (value.is_string()) {
      labels.emplace(key, value.get<std::string>());
    }
  }
  return labels;
}

std::string describeObject(const RequestFacts& request, const nlohmann::json& object) {
  const nlohmann::json* metadata = objectMember(&object, "metadata");
  std::string kind = request.kind;
  if (kind.empty()) {
    kind = std::string(stringMember(&object, "kind").value_or("object"));
  }
  std::string name = request.name;
  if (name.empty()) {
    name = std::string(stringMember(metadata, "name").value_or(""));
  }
  if (name.empty()) {
    const std::string_view generate_name = stringMember(metadata, "generateName").value_or("");
    name = generate_name.empty() ? "<unnamed>" : std::string(generate_name) + "<generated>";
  }
  // A Namespace is cluster-scoped, whatever namespace its request names.
  const std::string namespace_name = kind == cluster::kinds::Namespace.kind ? "" : objectNamespace(request, object);
  return kind + " " + (namespace_name.empty() ? "" : namespace_name + "/") + name;
}

const std::vector<FieldReads>& podTemplateReads() {
  // What the rules read of a pod template's spec (containers by name, their resources, sidecar
  // init containers, hostNetwork): never the images, probes, env and volumes of the rest.
  static constexpr std::array<std::string_view, 6> kSpecFields = {
      "/spec/hostNetwork",           "/spec/containers/*/name",              "/spec/containers/*/resources",
      "/spec/initContainers/*/name", "/spec/initContainers/*/restartPolicy", "/spec/initContainers/*/resources"};
  // A Pod's own metadata as the rules read it: never managedFields (often most of the object).
  static constexpr std::array<std::string_view, 6> kPodMetadataFields = {
      "/metadata/name",   "/metadata/namespace",   "/metadata/generateName",
      "/metadata/labels", "/metadata/annotations", "/metadata/ownerReferences"};
  static const std::vector<std::string> pointers = [] {
    std::vector<std::string> all;
    for (const TemplateLocation& location : templateLocations()) {
      if (location.pointer.empty()) {
        all.insert(all.end(), kPodMetadataFields.begin(), kPodMetadataFields.end());
      } else {
        all.push_back(std::string(location.pointer) + "/metadata");
      }
      for (const std::string_view field : kSpecFields) {
        all.push_back(std::string(location.pointer).append(field));
      }
    }
    return all;
  }();
  static const std::vector<FieldReads> reads = [] {
    std::vector<FieldReads> all;
    std::size_t next = 0;
    for (const TemplateLocation& location : templateLocations()) {
      FieldReads entry{location.kind, {}};
      const std::size_t count = (location.pointer.empty() ? kPodMetadataFields.size() : 1) + kSpecFields.size();
      for (std::size_t index = 0; index < count; ++index) {
        entry.fields.push_back(pointers[next++]);
      }
      all.push_back(std::move(entry));
    }
    return all;
  }();
  return reads;
}

const FieldReads& podTemplateReadsOf(const cluster::KindInfo& kind) {
  const std::vector<FieldReads>& all = podTemplateReads();
  const auto found = std::find_if(all.begin(), all.end(), [&](const FieldReads& reads) {
    return reads.kind.sameKind(kind.group, kind.kind);
  });
  return found != all.end() ? *found : all.front();  // a pod-less kind is a programming error: read as a Pod
}

}  // namespace meshward::policies
