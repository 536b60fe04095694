#include "webhook/cluster/object_key.h"

#include <algorithm>
#include <iterator>

#include "webhook/common/json_fields.h"

namespace meshward::cluster {
namespace {

constexpr std::string_view kDefaultNamespace = "default";

struct ClusterScopedKind {
  std::string_view group;
  std::string_view kind;
};

constexpr ClusterScopedKind kClusterScopedKinds[] = {
    {"", "ComponentStatus"},
    {"", "Namespace"},
    {"", "Node"},
    {"", "PersistentVolume"},
    {"admissionregistration.k8s.io", "MutatingWebhookConfiguration"},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicy"},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"},
    {"admissionregistration.k8s.io", "ValidatingWebhookConfiguration"},
    {"apiextensions.k8s.io", "CustomResourceDefinition"},
    {"apiregistration.k8s.io", "APIService"},
    {"certificates.k8s.io", "CertificateSigningRequest"},
    {"flowcontrol.apiserver.k8s.io", "FlowSchema"},
    {"flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"},
    {"gateway.networking.k8s.io", "GatewayClass"},
    {"networking.k8s.io", "IngressClass"},
    {"node.k8s.io", "RuntimeClass"},
    {"policy", "PodSecurityPolicy"},
    {"rbac.authorization.k8s.io", "ClusterRole"},
    {"rbac.authorization.k8s.io", "ClusterRoleBinding"},
    {"scheduling.k8s.io", "PriorityClass"},
    {"storage.k8s.io", "CSIDriver"},
    {"storage.k8s.io", "CSINode"},
    {"storage.k8s.io", "StorageClass"},
    {"storage.k8s.io", "VolumeAttachment"},
    {"authentication.k8s.io", "TokenReview"},
    {"authorization.k8s.io", "SubjectAccessReview"},
};

}  // namespace

GroupVersion splitApiVersion(std::string_view api_version) {
  const size_t slash = api_version.find('/');
  if (slash == std::string_view::npos) {
    return GroupVersion{"", std::string(api_version)};
  }
  return GroupVersion{std::string(api_version.substr(0, slash)), std::string(api_version.substr(slash + 1))};
}

bool isClusterScoped(std::string_view group, std::string_view kind) {
  return std::any_of(std::begin(kClusterScopedKinds), std::end(kClusterScopedKinds),
                     [&](const ClusterScopedKind& entry) { return entry.group == group && entry.kind == kind; });
}

std::optional<ObjectKey> objectKeyOf(const nlohmann::json& object) {
  if (!object.is_object()) {
    return std::nullopt;
  }
  const std::string_view api_version = meshward::stringMember(&object, "apiVersion").value_or("");
  const std::string_view kind = meshward::stringMember(&object, "kind").value_or("");
  if (api_version.empty() || kind.empty()) {
    return std::nullopt;
  }
  ObjectKey key;
  key.group = splitApiVersion(api_version).group;
  key.kind = std::string(kind);
  const nlohmann::json* metadata = meshward::objectMember(&object, "metadata");
  key.namespace_name = meshward::stringMember(metadata, "namespace").value_or("");
  key.name = meshward::stringMember(metadata, "name").value_or("");
  if (isClusterScoped(key.group, key.kind)) {
    key.namespace_name.clear();
  } else if (key.namespace_name.empty()) {
    key.namespace_name = kDefaultNamespace;
  }
  return key;
}

}  // namespace meshward::cluster
