#include "policies/strict_mtls/effective_mtls.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

constexpr std::uint32_t kMaxPort = 65535;

MtlsMode modeOf(const nlohmann::json* mtls) {
  const std::string_view mode = stringMember(mtls, "mode").value_or("");
  if (mode == "STRICT") {
    return MtlsMode::Strict;
  }
  if (mode == "PERMISSIVE") {
    return MtlsMode::Permissive;
  }
  if (mode == "DISABLE") {
    return MtlsMode::Disable;
  }
  return MtlsMode::Unset;
}

std::optional<std::uint32_t> portNumber(std::string_view text) {
  std::uint32_t port = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (error != std::errc() || end != text.data() + text.size() || port == 0 || port > kMaxPort) {
    return std::nullopt;
  }
  return port;
}

bool selects(const cluster::Labels& selector, const cluster::Labels& labels) {
  return std::all_of(selector.begin(), selector.end(), [&](const auto& entry) {
    const auto found = labels.find(entry.first);
    return found != labels.end() && found->second == entry.second;
  });
}

// Port-level modes count only in workload-level policies; istiod ignores them elsewhere.
bool setsStrict(const PeerAuthentication& policy) {
  return policy.mode == MtlsMode::Strict ||
         (policy.hasSelector() && std::any_of(policy.port_modes.begin(), policy.port_modes.end(),
                                              [](const auto& port) { return port.second == MtlsMode::Strict; }));
}

// Keeps the older of the current holder of a scope and a candidate.
void keepOldest(const PeerAuthentication*& holder, const PeerAuthentication* candidate) {
  if (holder == nullptr || candidate->olderThan(*holder)) {
    holder = candidate;
  }
}

}  // namespace

bool PeerAuthentication::olderThan(const PeerAuthentication& other) const {
  if (being_created != other.being_created) {
    return other.being_created;
  }
  if (creation_timestamp != other.creation_timestamp) {
    if (creation_timestamp.empty() || other.creation_timestamp.empty()) {
      return other.creation_timestamp.empty();
    }
    return creation_timestamp < other.creation_timestamp;
  }
  return name < other.name;
}

PeerAuthentication parsePeerAuthentication(std::string_view namespace_name, std::string_view name,
                                           const nlohmann::json& object) {
  PeerAuthentication policy;
  policy.namespace_name = std::string(namespace_name);
  policy.name = std::string(name);
  policy.creation_timestamp =
      std::string(stringMember(objectMember(&object, "metadata"), "creationTimestamp").value_or(""));
  const nlohmann::json* spec = objectMember(&object, "spec");
  if (const nlohmann::json* match_labels = objectMember(objectMember(spec, "selector"), "matchLabels")) {
    for (const auto& [key, value] : match_labels->items()) {
      if (value.is_string()) {
        policy.selector.emplace(key, value.get<std::string>());
      } else if (value.is_primitive() && !value.is_null()) {
        policy.selector.emplace(key, value.dump());
      }
    }
  }
  policy.mode = modeOf(objectMember(spec, "mtls"));
  if (const nlohmann::json* ports = objectMember(spec, "portLevelMtls")) {
    for (const auto& [key, value] : ports->items()) {
      if (const std::optional<std::uint32_t> port = portNumber(key)) {
        policy.port_modes[*port] = modeOf(value.is_object() ? &value : nullptr);
      }
    }
  }
  return policy;
}

ModeDecision EffectiveMtls::forPort(std::uint32_t port) const {
  const auto found = ports.find(port);
  return found == ports.end() ? workload : found->second;
}

MtlsPolicies::MtlsPolicies(std::string_view root_namespace, const std::vector<const PeerAuthentication*>& policies)
    : root_namespace_(root_namespace) {
  for (const PeerAuthentication* policy : policies) {
    const bool in_root = policy->namespace_name == root_namespace_;
    if (policy->hasSelector() && in_root) {
      continue;
    }
    sets_strict_ = sets_strict_ || setsStrict(*policy);
    if (!policy->hasSelector() && in_root) {
      keepOldest(mesh_wide_, policy);
      continue;
    }
    auto scope = namespaces_.find(policy->namespace_name);
    if (scope == namespaces_.end()) {
      scope = namespaces_.emplace(policy->namespace_name, NamespacePolicies()).first;
    }
    if (policy->hasSelector()) {
      scope->second.workload_level.push_back(policy);
    } else {
      keepOldest(scope->second.namespace_wide, policy);
    }
  }
  for (auto& [namespace_name, scope] : namespaces_) {
    std::sort(scope.workload_level.begin(), scope.workload_level.end(),
              [](const PeerAuthentication* left, const PeerAuthentication* right) { return left->olderThan(*right); });
  }
}

ModeDecision MtlsPolicies::namespaceDecision(std::string_view namespace_name) const {
  ModeDecision decision;
  if (mesh_wide_ != nullptr && mesh_wide_->mode != MtlsMode::Unset) {
    decision = ModeDecision{mesh_wide_->mode, mesh_wide_};
  }
  const auto scope = namespaces_.find(namespace_name);
  if (scope != namespaces_.end() && scope->second.namespace_wide != nullptr &&
      scope->second.namespace_wide->mode != MtlsMode::Unset) {
    decision = ModeDecision{scope->second.namespace_wide->mode, scope->second.namespace_wide};
  }
  return decision;
}

bool MtlsPolicies::hasWorkloadPolicies(std::string_view namespace_name) const {
  const auto scope = namespaces_.find(namespace_name);
  return scope != namespaces_.end() && !scope->second.workload_level.empty();
}

EffectiveMtls MtlsPolicies::resolve(std::string_view namespace_name, const cluster::Labels& pod_labels) const {
  EffectiveMtls effective{namespaceDecision(namespace_name), {}};
  const auto scope = namespaces_.find(namespace_name);
  if (scope == namespaces_.end()) {
    return effective;
  }
  const auto& candidates = scope->second.workload_level;
  const auto selected = std::find_if(candidates.begin(), candidates.end(), [&](const PeerAuthentication* policy) {
    return selects(policy->selector, pod_labels);
  });
  if (selected == candidates.end()) {
    return effective;
  }
  const PeerAuthentication* policy = *selected;
  if (policy->mode != MtlsMode::Unset) {
    effective.workload = ModeDecision{policy->mode, policy};
  }
  for (const auto& [port, mode] : policy->port_modes) {
    effective.ports[port] = mode == MtlsMode::Unset ? effective.workload : ModeDecision{mode, policy};
  }
  return effective;
}

}  // namespace meshward::policies
