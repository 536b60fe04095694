#include "policies/strict_mtls/strict_mtls_rule.h"

#include <algorithm>
#include <optional>

#include "webhook/common/json_fields.h"
#include "policies/common/name_list.h"
#include "policies/common/workload.h"
#include "policies/strict_mtls/effective_mtls.h"
#include "policies/strict_mtls/exposed_pods.h"
#include "policies/indexes/pods_without_sidecar.h"
#include "policies/meshes/istio.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kMaxPodsNamed = "maxPodsNamed";
constexpr std::size_t kMostPoliciesNamed = 3;

struct StrictMtlsConfig final : RuleConfig {
  std::size_t pods_named = 5;
};

std::string describeScope(const PeerAuthentication& policy, std::string_view root_namespace) {
  if (!policy.hasSelector()) {
    return policy.namespace_name == root_namespace ? "mesh-wide" : "namespace-wide";
  }
  std::string text = "workload-level, selector ";
  bool first = true;
  for (const auto& [key, value] : policy.selector) {
    text += (first ? "" : ",") + key + "=" + value;
    first = false;
  }
  return text;
}

// The policies that make the pods STRICT, when that is not (only) the object under review.
std::string describeStrictSource(const std::set<std::string>& strict_from, const std::string& reviewed_key) {
  if (strict_from.empty() || (strict_from.size() == 1 && *strict_from.begin() == reviewed_key)) {
    return "";
  }
  std::vector<std::string> named;
  for (const std::string& key : strict_from) {
    if (named.size() == kMostPoliciesNamed) {
      break;
    }
    named.push_back(key);
  }
  return " (STRICT set by PeerAuthentication " + listNames(named, strict_from.size()) + ")";
}

std::optional<PeerAuthentication> reviewedVersion(const nlohmann::json& object, std::string_view namespace_name,
                                                  std::string_view name) {
  if (!object.is_object()) {
    return std::nullopt;
  }
  return parsePeerAuthentication(namespace_name, name, object);
}

bool meshWide(const std::optional<PeerAuthentication>& policy, std::string_view root_namespace) {
  return policy && !policy->hasSelector() && policy->namespace_name == root_namespace;
}

std::vector<const PeerAuthentication*> withReviewed(const std::vector<PeerAuthentication>& others,
                                                    const std::optional<PeerAuthentication>& reviewed) {
  std::vector<const PeerAuthentication*> policies;
  policies.reserve(others.size() + 1);
  for (const PeerAuthentication& policy : others) {
    policies.push_back(&policy);
  }
  if (reviewed) {
    policies.push_back(&*reviewed);
  }
  return policies;
}

}  // namespace

const RuleMetadata& StrictMtlsRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "strict-mtls-needs-sidecars",
      .type = RuleType::Validating,
      .kinds = {istio::PeerAuthentication},
      .operations = {"CREATE", "UPDATE", "DELETE"},
      .default_action = Action::Deny,
      .description =
          "Stops PeerAuthentication changes that make mTLS STRICT for running pods without an Istio "
          "sidecar.",
      .codes = {messages::StrictMtlsForPodsWithoutSidecar},
      .parameters =
          {
              {.name = kMaxPodsNamed,
               .type = ParamType::Integer,
               .default_value = "5",
               .description = "How many of the affected pods a finding names (0 to 100; the count covers them all).",
               .minimum = 0,
               .maximum = 100},
          },
      .inputs = {{istio::PeerAuthentication}, {cluster::kinds::Pod}, {cluster::kinds::Namespace, false}},
      .reads = {{istio::PeerAuthentication,
                 {"/metadata/creationTimestamp", "/spec/selector", "/spec/mtls", "/spec/portLevelMtls"}},
                {cluster::kinds::Namespace, {"/metadata/labels"}}},
      .indexes = {&podsWithoutSidecarIndex()},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

Result<std::shared_ptr<const RuleConfig>> StrictMtlsRule::configure(const RuleSettings& settings) const {
  auto config = std::make_shared<StrictMtlsConfig>();
  config->pods_named = static_cast<std::size_t>(settings.integer(kMaxPodsNamed));
  return std::shared_ptr<const RuleConfig>(std::move(config));
}

void StrictMtlsRule::evaluate(const RuleContext& context, Report& report) const {
  const RequestFacts& request = context.request;
  const bool creates_or_updates = request.operation == "CREATE" || request.operation == "UPDATE";
  const bool updates_or_deletes = request.operation == "UPDATE" || request.operation == "DELETE";
  const nlohmann::json& subject = context.object.is_object() ? context.object : context.old_object;
  const std::string namespace_name = objectNamespace(request, subject);
  const std::string name = request.name.empty()
                               ? std::string(stringMember(objectMember(&subject, "metadata"), "name").value_or(""))
                               : request.name;
  const std::string reviewed_key = namespace_name + "/" + name;

  const cluster::ClusterState& cluster = context.cluster;
  std::optional<PeerAuthentication> reviewed_before;
  if (updates_or_deletes) {
    reviewed_before = reviewedVersion(context.old_object, namespace_name, name);
  }
  std::optional<PeerAuthentication> reviewed_after;
  if (creates_or_updates) {
    reviewed_after = reviewedVersion(context.object, namespace_name, name);
    if (reviewed_after && request.operation == "CREATE") {
      reviewed_after->being_created = true;
    }
  }
  if ((!reviewed_before && !reviewed_after) || !context.inputsAvailable(report)) {
    return;
  }
  const std::string& root_namespace = context.mesh.root_namespace;
  const bool mesh_wide = meshWide(reviewed_before, root_namespace) || meshWide(reviewed_after, root_namespace);

  std::vector<PeerAuthentication> others;
  const cluster::ObjectVisitor keep_others = [&](const cluster::ObjectKey& key, const nlohmann::json& object) {
    if (key.namespace_name != namespace_name || key.name != name) {
      others.push_back(parsePeerAuthentication(key.namespace_name, key.name, object));
    }
  };
  if (mesh_wide) {
    cluster.forEachObject(istio::PeerAuthentication.group, istio::PeerAuthentication.kind, keep_others);
  } else {
    cluster.forEachObjectInNamespace(istio::PeerAuthentication.group, istio::PeerAuthentication.kind, root_namespace, keep_others);
    if (namespace_name != root_namespace) {
      cluster.forEachObjectInNamespace(istio::PeerAuthentication.group, istio::PeerAuthentication.kind, namespace_name, keep_others);
    }
  }

  const MtlsPolicies before(root_namespace, withReviewed(others, reviewed_before));
  const MtlsPolicies after(root_namespace, withReviewed(others, reviewed_after));
  const MtlsChange change{before, after, reviewed_before ? &*reviewed_before : nullptr,
                          reviewed_after ? &*reviewed_after : nullptr};
  const std::vector<std::string> namespaces =
      mesh_wide ? namespacesWithPodsWithoutSidecar(cluster) : std::vector<std::string>{namespace_name};
  const ExposedPods exposed = findExposedPods(cluster, context.mesh, change, namespaces, context.config<StrictMtlsConfig>().pods_named);
  if (exposed.count == 0) {
    return;
  }

  const PeerAuthentication& reviewed = reviewed_after ? *reviewed_after : *reviewed_before;
  report.finding(messages::StrictMtlsForPodsWithoutSidecar,
                 "PeerAuthentication " + reviewed_key + " (" + describeScope(reviewed, root_namespace) +
                     "): " + std::string(describeOperation(request.operation)) + " makes mTLS STRICT for " +
                     std::to_string(exposed.count) + (exposed.count == 1 ? " pod" : " pods") +
                     " without an Istio sidecar" +
                     (exposed.names.empty() ? "" : ": " + listNames(exposed.names, exposed.count)) +
                     describeStrictSource(exposed.strict_from, reviewed_key) +
                     ". Without a sidecar a pod can neither accept nor originate mutual TLS, so its traffic with "
                     "meshed workloads fails once STRICT applies. Inject sidecars and restart those pods, exclude "
                     "them with a PERMISSIVE PeerAuthentication, or roll STRICT out one namespace at a time.");
}

}  // namespace meshward::policies
