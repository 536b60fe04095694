#include "policies/common/authorization_policy.h"

#include <algorithm>
#include <initializer_list>

#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kWildcard = "*";

AuthorizationAction actionOf(const nlohmann::json* spec) {
  const std::string_view text = stringMember(spec, "action").value_or("");
  if (text.empty() || text == "ALLOW") {
    return AuthorizationAction::Allow;
  }
  if (text == "DENY") {
    return AuthorizationAction::Deny;
  }
  if (text == "AUDIT") {
    return AuthorizationAction::Audit;
  }
  return AuthorizationAction::Custom;
}

const nlohmann::json* nonEmptyArray(const nlohmann::json* field) {
  return field != nullptr && field->is_array() && !field->empty() ? field : nullptr;
}

std::vector<std::string> strings(const nlohmann::json* values) {
  std::vector<std::string> text;
  if (values == nullptr || !values->is_array()) {
    return text;
  }
  for (const nlohmann::json& value : *values) {
    if (value.is_string()) {
      text.push_back(value.get<std::string>());
    }
  }
  return text;
}

// A source or operation matches every request when each field it sets holds "*" and it sets no
// negative (not...) field.
bool matchesEverything(const nlohmann::json& clause, std::initializer_list<std::string_view> positive) {
  if (!clause.is_object()) {
    return false;
  }
  for (const auto& [key, value] : clause.items()) {
    const bool is_positive = std::find(positive.begin(), positive.end(), key) != positive.end();
    if (value.is_null() || (value.is_array() && value.empty())) {
      continue;
    }
    if (!is_positive || !value.is_array()) {
      return false;
    }
    const bool wildcard = std::any_of(value.begin(), value.end(),
                                      [](const nlohmann::json& entry) { return entry.is_string() && entry == kWildcard; });
    if (!wildcard) {
      return false;
    }
  }
  return true;
}

// Some entry of `list` (a rule's from or to) matches every request; an absent list matches everything.
bool anyMatchesEverything(const nlohmann::json* list, std::string_view inner,
                          std::initializer_list<std::string_view> positive) {
  if (nonEmptyArray(list) == nullptr) {
    return true;
  }
  return std::any_of(list->begin(), list->end(), [&](const nlohmann::json& entry) {
    const nlohmann::json* clause = member(&entry, inner);
    return clause == nullptr || matchesEverything(*clause, positive);
  });
}

bool ruleMatchesEverything(const nlohmann::json& rule) {
  return nonEmptyArray(member(&rule, "when")) == nullptr &&
         anyMatchesEverything(member(&rule, "from"), "source",
                              {"principals", "requestPrincipals", "namespaces", "ipBlocks", "remoteIpBlocks"}) &&
         anyMatchesEverything(member(&rule, "to"), "operation", {"hosts", "ports", "methods", "paths"});
}

// The rule's sources when every one of them needs an mTLS identity (principals or namespaces);
// false when a caller without one can match the rule.
bool needsIdentity(const nlohmann::json& rule, AuthorizationPolicy& policy) {
  const nlohmann::json* from = nonEmptyArray(member(&rule, "from"));
  if (from == nullptr) {
    return false;
  }
  std::vector<std::string> principals;
  std::vector<std::string> namespaces;
  for (const nlohmann::json& entry : *from) {
    const nlohmann::json* source = member(&entry, "source");
    const nlohmann::json* source_principals = nonEmptyArray(member(source, "principals"));
    const nlohmann::json* source_namespaces = nonEmptyArray(member(source, "namespaces"));
    if (source_principals == nullptr && source_namespaces == nullptr) {
      return false;
    }
    for (std::string& principal : strings(source_principals)) {
      principals.push_back(std::move(principal));
    }
    for (std::string& namespace_name : strings(source_namespaces)) {
      namespaces.push_back(std::move(namespace_name));
    }
  }
  policy.principals.insert(policy.principals.end(), principals.begin(), principals.end());
  policy.source_namespaces.insert(policy.source_namespaces.end(), namespaces.begin(), namespaces.end());
  return true;
}

void readTargetRefs(const nlohmann::json* spec, AuthorizationPolicy& policy) {
  std::vector<const nlohmann::json*> refs;
  if (const nlohmann::json* single = objectMember(spec, "targetRef")) {
    refs.push_back(single);
  }
  if (const nlohmann::json* many = nonEmptyArray(member(spec, "targetRefs"))) {
    for (const nlohmann::json& ref : *many) {
      refs.push_back(&ref);
    }
  }
  policy.has_target_refs = !refs.empty();
  for (const nlohmann::json* ref : refs) {
    if (stringMember(ref, "kind") == "Gateway") {
      if (const std::optional<std::string_view> name = stringMember(ref, "name")) {
        policy.target_gateways.emplace_back(*name);
      }
    }
  }
}

bool selects(const cluster::Labels& selector, const cluster::Labels& labels) {
  return std::all_of(selector.begin(), selector.end(), [&](const auto& entry) {
    const auto found = labels.find(entry.first);
    return found != labels.end() && found->second == entry.second;
  });
}

}  // namespace

bool matchesIstioPattern(std::string_view pattern, std::string_view value) {
  if (pattern == kWildcard) {
    return true;
  }
  if (pattern.size() > 1 && pattern.ends_with('*')) {
    return value.starts_with(pattern.substr(0, pattern.size() - 1));
  }
  if (pattern.size() > 1 && pattern.starts_with('*')) {
    return value.ends_with(pattern.substr(1));
  }
  return pattern == value;
}

AuthorizationPolicy parseAuthorizationPolicy(std::string_view namespace_name, std::string_view name,
                                             const nlohmann::json& object) {
  AuthorizationPolicy policy;
  policy.namespace_name = std::string(namespace_name);
  policy.name = std::string(name);
  const nlohmann::json* metadata = objectMember(&object, "metadata");
  policy.dry_run = stringMember(objectMember(metadata, "annotations"), kDryRunAnnotation) == "true";
  const nlohmann::json* spec = objectMember(&object, "spec");
  policy.action = actionOf(spec);
  if (const nlohmann::json* match_labels = objectMember(objectMember(spec, "selector"), "matchLabels")) {
    for (const auto& [key, value] : match_labels->items()) {
      if (value.is_string()) {
        policy.selector.emplace(key, value.get<std::string>());
      }
    }
  }
  readTargetRefs(spec, policy);
  const nlohmann::json* rules = member(spec, "rules");
  if (rules == nullptr || !rules->is_array()) {
    return policy;
  }
  for (const nlohmann::json& rule : *rules) {
    ++policy.rules;
    policy.matches_every_request = policy.matches_every_request || ruleMatchesEverything(rule);
    if (!needsIdentity(rule, policy)) {
      policy.admits_without_identity = true;
    }
  }
  return policy;
}

bool AuthorizationPolicy::appliesTo(std::string_view root_namespace, std::string_view pod_namespace,
                                    const cluster::Labels& pod_labels) const {
  if (has_target_refs) {
    const auto gateway = pod_labels.find(kGatewayNameLabel);
    return pod_namespace == namespace_name && gateway != pod_labels.end() &&
           std::find(target_gateways.begin(), target_gateways.end(), gateway->second) != target_gateways.end();
  }
  if (namespace_name != root_namespace && namespace_name != pod_namespace) {
    return false;
  }
  return selects(selector, pod_labels);
}

bool AuthorizationPolicy::appliesToNamespace(std::string_view root_namespace, std::string_view pod_namespace) const {
  return !selectsWorkloads() && (namespace_name == root_namespace || namespace_name == pod_namespace);
}

void WorkloadAccess::add(const AuthorizationPolicy& policy) {
  if (!policy.enforced()) {
    return;
  }
  if (policy.deniesEverything() && denies_everything == nullptr) {
    denies_everything = &policy;
  }
  if (policy.action != AuthorizationAction::Allow) {
    return;
  }
  has_allow = true;
  if (policy.rules == 0) {
    allow_nothing = allow_nothing == nullptr ? &policy : allow_nothing;
    return;
  }
  allow_admits_something = true;
  allow_admits_without_identity = allow_admits_without_identity || policy.admits_without_identity;
}

}  // namespace meshward::policies
