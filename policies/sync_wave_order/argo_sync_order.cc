#include "policies/sync_wave_order/argo_sync_order.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

// gitops-engine's kindOrder (Helm's install order), first applied first.
constexpr std::array<std::string_view, 35> kArgoKindOrder = {
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
};

// Go's strconv.Atoi: an optional '+' or '-', then one or more decimal digits.
std::optional<std::int64_t> parseGoInteger(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  // Parsed with its sign so that the most negative 64-bit value is accepted, as Go accepts it.
  const std::string signed_digits = (negative ? "-" : "") + std::string(text);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(signed_digits.data(), signed_digits.data() + signed_digits.size(), value);
  if (error != std::errc() || end != signed_digits.data() + signed_digits.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

SyncWave syncWaveOf(const nlohmann::json& object) {
  const nlohmann::json* value =
      member(objectMember(objectMember(&object, "metadata"), "annotations"), kSyncWaveAnnotation);
  if (value == nullptr) {
    return SyncWave{};
  }
  if (!value->is_string()) {
    SyncWave wave;
    wave.text = SyncWaveText::NotAString;
    wave.written = value->dump();
    return wave;
  }
  return syncWaveOfText(value->get_ref<const std::string&>());
}

SyncWave syncWaveOfText(std::optional<std::string_view> annotation) {
  SyncWave wave;
  if (!annotation) {
    return wave;
  }
  wave.written = std::string(*annotation);
  const std::optional<std::int64_t> parsed = parseGoInteger(wave.written);
  wave.text = parsed ? SyncWaveText::Integer : SyncWaveText::NotAnInteger;
  wave.wave = parsed.value_or(0);
  return wave;
}

int argoKindRank(std::string_view kind) {
  const auto found = std::find(kArgoKindOrder.begin(), kArgoKindOrder.end(), kind);
  if (found == kArgoKindOrder.end()) {
    return 0;
  }
  return static_cast<int>(found - kArgoKindOrder.begin()) - static_cast<int>(kArgoKindOrder.size());
}

ArgoSyncPosition argoSyncPosition(const nlohmann::json& object) {
  const nlohmann::json* metadata = objectMember(&object, "metadata");
  return ArgoSyncPosition{syncWaveOf(object).wave, argoKindRank(stringMember(&object, "kind").value_or("")),
                          std::string(stringMember(metadata, "name").value_or(""))};
}

}  // namespace meshward::policies
