#include "policies/change_governance/change_category.h"

#include "policies/common/workload.h"
#include "policies/meshes/istio.h"
#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

constexpr cluster::KindInfo kEnvoyFilter{istio::kNetworkingGroup, "EnvoyFilter", "envoyfilters", ""};
constexpr cluster::KindInfo kConfigMap{"", "ConfigMap", "configmaps", "v1"};
constexpr std::string_view kMeshConfigName = "istio";

const nlohmann::json& subjectOf(const RuleContext& context) {
  return context.object.is_object() ? context.object : context.old_object;
}

bool hasSelector(const nlohmann::json& object) {
  const nlohmann::json* selector = objectMember(objectMember(&object, "spec"), "selector");
  const nlohmann::json* labels = objectMember(selector, "matchLabels");
  return labels != nullptr && !labels->empty();
}

// Whether the request changes `pointer` (a CREATE or DELETE always does).
bool changes(const RuleContext& context, std::string_view pointer) {
  if (context.request.operation != "UPDATE") {
    return true;
  }
  const nlohmann::json::json_pointer path{std::string(pointer)};
  const nlohmann::json* before = context.old_object.contains(path) ? &context.old_object.at(path) : nullptr;
  const nlohmann::json* after = context.object.contains(path) ? &context.object.at(path) : nullptr;
  if (before == nullptr || after == nullptr) {
    return before != after;
  }
  return *before != *after;
}

// istio (the default revision's) or istio-REV labelled istio.io/rev=REV, in the root namespace.
bool isMeshConfig(const nlohmann::json& object, std::string_view name) {
  if (name == kMeshConfigName) {
    return true;
  }
  const cluster::Labels labels = labelsAt(objectMember(&object, "metadata"));
  const auto revision = labels.find(istio::kRevisionLabel);
  return revision != labels.end() && name == std::string(kMeshConfigName) + "-" + revision->second;
}

std::optional<std::pair<std::string, std::string>> injectionLabelsOf(const nlohmann::json& object) {
  if (!object.is_object()) {
    return std::nullopt;
  }
  const cluster::Labels labels = labelsAt(objectMember(&object, "metadata"));
  const auto injection = labels.find(istio::kInjectionNamespaceLabel);
  const auto revision = labels.find(istio::kRevisionLabel);
  if (injection == labels.end() && revision == labels.end()) {
    return std::nullopt;
  }
  return std::pair{injection == labels.end() ? "" : injection->second, revision == labels.end() ? "" : revision->second};
}

}  // namespace

std::string_view categoryName(ChangeCategory category) {
  switch (category) {
    case ChangeCategory::EnvoyFilter:
      return "envoy-filter";
    case ChangeCategory::MeshWide:
      return "mesh-wide";
    case ChangeCategory::NamespaceWide:
      return "namespace-wide";
    case ChangeCategory::Injection:
      return "injection";
  }
  return "unknown";
}

const std::vector<cluster::KindInfo>& governedKinds() {
  static const std::vector<cluster::KindInfo> kinds = {kEnvoyFilter,          istio::PeerAuthentication,
                                                       istio::AuthorizationPolicy, istio::Sidecar,
                                                       istio::DestinationRule,     kConfigMap,
                                                       cluster::kinds::Namespace};
  return kinds;
}

const std::vector<FieldReads>& governedReads() {
  static const std::vector<FieldReads> reads = {
      {kEnvoyFilter, {"/spec"}},
      {istio::PeerAuthentication, {"/spec"}},
      {istio::AuthorizationPolicy, {"/spec"}},
      {istio::Sidecar, {"/spec"}},
      {istio::DestinationRule, {"/spec"}},
      {kConfigMap, {"/metadata/labels", "/data", "/binaryData"}},
      {cluster::kinds::Namespace, {"/metadata/labels"}},
  };
  return reads;
}

std::optional<HighRiskChange> classifyChange(const RuleContext& context) {
  const RequestFacts& request = context.request;
  const nlohmann::json& subject = subjectOf(context);
  const std::string namespace_name = objectNamespace(request, subject);
  const bool in_root = namespace_name == context.mesh.root_namespace;
  if (request.group == kEnvoyFilter.group && request.kind == kEnvoyFilter.kind) {
    if (!changes(context, "/spec")) {
      return std::nullopt;
    }
    return HighRiskChange{ChangeCategory::EnvoyFilter, "an EnvoyFilter"};
  }
  if (request.group == istio::PeerAuthentication.group && request.kind == istio::PeerAuthentication.kind) {
    if (hasSelector(subject) || !changes(context, "/spec")) {
      return std::nullopt;
    }
    return in_root ? HighRiskChange{ChangeCategory::MeshWide, "a mesh-wide PeerAuthentication"}
                   : HighRiskChange{ChangeCategory::NamespaceWide, "a namespace-wide PeerAuthentication"};
  }
  for (const cluster::KindInfo& kind : {istio::AuthorizationPolicy, istio::Sidecar, istio::DestinationRule}) {
    if (request.group == kind.group && request.kind == kind.kind) {
      if (!in_root || !changes(context, "/spec")) {
        return std::nullopt;
      }
      return HighRiskChange{ChangeCategory::MeshWide, "a root-namespace " + std::string(kind.kind)};
    }
  }
  if (request.group == kConfigMap.group && request.kind == kConfigMap.kind) {
    const std::string name =
        request.name.empty() ? std::string(stringMember(objectMember(&subject, "metadata"), "name").value_or(""))
                             : request.name;
    if (!in_root || !isMeshConfig(subject, name) || !(changes(context, "/data") || changes(context, "/binaryData"))) {
      return std::nullopt;
    }
    return HighRiskChange{ChangeCategory::MeshWide, "the mesh config ConfigMap"};
  }
  if (request.group.empty() && request.kind == cluster::kinds::Namespace.kind && request.operation != "DELETE") {
    const auto before = request.operation == "UPDATE" ? injectionLabelsOf(context.old_object) : std::nullopt;
    const auto after = injectionLabelsOf(context.object);
    if (before == after) {
      return std::nullopt;
    }
    return HighRiskChange{ChangeCategory::Injection, "the namespace's injection labels"};
  }
  return std::nullopt;
}

}  // namespace meshward::policies
