// The second-wave Istio guards against 50,000 pods in 500 namespaces and 5,000 AuthorizationPolicies
// (ten per namespace), a mesh-wide STRICT PeerAuthentication, and two control-plane revisions
// (1-23 and 1-24, the tag prod -> 1-24): half the namespaces select 1-23 by name, half prod; every
// pod runs the sidecar its namespace selects (the injector's istio.io/rev annotation). Reviews:
// revision-exists on a Namespace (a typo, and a tag), revision-in-use deleting a used istiod (every
// namespace and pod walked) and an unused one, injection-kept-under-strict ending a namespace's
// injection (100 pods under STRICT and AuthorizationPolicies), change-governance on a mesh-wide
// PeerAuthentication outside its window by a non-owner.

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/mesh_guards/rule_bench.h"
#include "policies/change_governance/change_governance_rule.h"
#include "policies/control_plane_revisions/revision_exists_rule.h"
#include "policies/control_plane_revisions/revision_in_use_rule.h"
#include "policies/injection_kept_under_strict/injection_kept_under_strict_rule.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/cluster/offline_cluster_state.h"
#include "webhook/common/rfc3339.h"

namespace meshward {
namespace {

constexpr int kNamespaces = 500;
constexpr int kPodsPerNamespace = 100;
constexpr int kPoliciesPerNamespace = 10;

std::string namespaceName(int index) {
  char name[16];
  std::snprintf(name, sizeof(name), "team-%03d", index);
  return name;
}

// Even namespaces select revision 1-23 by name, odd ones the tag prod (revision 1-24).
std::string selection(int index) { return index % 2 == 0 ? "1-23" : "prod"; }
std::string revisionOf(int index) { return index % 2 == 0 ? "1-23" : "1-24"; }

cluster::Manifest manifest(nlohmann::json object) { return cluster::Manifest{std::move(object), "bench.yaml", 1}; }

nlohmann::json namespaceObject(const std::string& name, const nlohmann::json& labels) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}, {"labels", labels}}}};
}

nlohmann::json injector(const std::string& name, const nlohmann::json& labels) {
  return {{"apiVersion", "admissionregistration.k8s.io/v1"},
          {"kind", "MutatingWebhookConfiguration"},
          {"metadata", {{"name", name}, {"labels", labels}}}};
}

nlohmann::json pod(const std::string& namespace_name, int index, const std::string& revision) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", "svc-" + std::to_string(index) + "-7f9c6b5d4-x2k8p"},
            {"namespace", namespace_name},
            {"labels", {{"app", "svc-" + std::to_string(index % 10)}}},
            {"annotations", {{"istio.io/rev", revision}}}}},
          {"spec", {{"containers", {{{"name", "app"}}, {{"name", "istio-proxy"}}}}}},
          {"status", {{"phase", "Running"}}}};
}

nlohmann::json authorizationPolicy(const std::string& namespace_name, int index) {
  return {{"apiVersion", "security.istio.io/v1"},
          {"kind", "AuthorizationPolicy"},
          {"metadata", {{"name", "allow-svc-" + std::to_string(index)}, {"namespace", namespace_name}}},
          {"spec",
           {{"selector", {{"matchLabels", {{"app", "svc-" + std::to_string(index)}}}}},
            {"rules", nlohmann::json::array({{{"to", {{{"operation", {{"methods", {"GET"}}}}}}}}})}}}};
}

nlohmann::json meshWideStrict() {
  return {{"apiVersion", "security.istio.io/v1"},
          {"kind", "PeerAuthentication"},
          {"metadata", {{"name", "default"}, {"namespace", "istio-system"}}},
          {"spec", {{"mtls", {{"mode", "STRICT"}}}}}};
}

const cluster::OfflineClusterState& cluster() {
  static const cluster::OfflineClusterState state = [] {
    std::vector<cluster::Manifest> manifests;
    manifests.push_back(manifest(namespaceObject("istio-system", nlohmann::json::object())));
    manifests.push_back(manifest(injector("istio-sidecar-injector-1-23", {{"istio.io/rev", "1-23"}})));
    manifests.push_back(manifest(injector("istio-sidecar-injector-1-24", {{"istio.io/rev", "1-24"}})));
    manifests.push_back(manifest(injector("istio-revision-tag-prod", {{"istio.io/rev", "1-24"}, {"istio.io/tag", "prod"}})));
    manifests.push_back(manifest(meshWideStrict()));
    for (int n = 0; n < kNamespaces; ++n) {
      const std::string namespace_name = namespaceName(n);
      manifests.push_back(manifest(namespaceObject(namespace_name, {{"istio.io/rev", selection(n)}})));
      for (int p = 0; p < kPodsPerNamespace; ++p) {
        manifests.push_back(manifest(pod(namespace_name, p, revisionOf(n))));
      }
      for (int a = 0; a < kPoliciesPerNamespace; ++a) {
        manifests.push_back(manifest(authorizationPolicy(namespace_name, a)));
      }
    }
    return cluster::OfflineClusterState(std::move(manifests),
                                        admission::registeredRequirements(cluster::ObjectSource::Manifests).indexes);
  }();
  return state;
}

policies::RequestFacts facts(const std::string& operation, const std::string& group, const std::string& kind,
                             const std::string& namespace_name, const std::string& name) {
  policies::RequestFacts facts;
  facts.operation = operation;
  facts.group = group;
  facts.version = "v1";
  facts.kind = kind;
  facts.namespace_name = namespace_name;
  facts.name = name;
  facts.user = "jane";
  facts.groups = {"developers", "system:authenticated"};
  facts.now = parseRfc3339("2026-12-09T19:00:00Z").value_or(std::chrono::system_clock::time_point{});
  return facts;
}

template <typename Rule>
void evaluate(benchmark::State& state, const policies::RequestFacts& request, const nlohmann::json& object,
              const nlohmann::json& old_object) {
  const Rule rule;
  bench::evaluateRule(state, rule, request, object, old_object, cluster(), policies::defaultSettings(rule));
}

nlohmann::json istiod(const std::string& revision) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata",
           {{"name", "istiod-" + revision},
            {"namespace", "istio-system"},
            {"labels", {{"app", "istiod"}, {"istio.io/rev", revision}}}}}};
}

void BM_RevisionExistsNamespaceTypo(benchmark::State& state) {
  evaluate<policies::RevisionExistsRule>(state, facts("CREATE", "", "Namespace", "", "orders"),
                                         namespaceObject("orders", {{"istio.io/rev", "1-25"}}), nullptr);
}
BENCHMARK(BM_RevisionExistsNamespaceTypo)->Unit(benchmark::kMicrosecond);

void BM_RevisionExistsNamespaceTag(benchmark::State& state) {
  evaluate<policies::RevisionExistsRule>(state, facts("CREATE", "", "Namespace", "", "orders"),
                                         namespaceObject("orders", {{"istio.io/rev", "prod"}}), nullptr);
}
BENCHMARK(BM_RevisionExistsNamespaceTag)->Unit(benchmark::kMicrosecond);

void BM_RevisionInUseDeleteUsedIstiod(benchmark::State& state) {
  evaluate<policies::RevisionInUseRule>(state, facts("DELETE", "apps", "Deployment", "istio-system", "istiod-1-24"),
                                        nullptr, istiod("1-24"));
}
BENCHMARK(BM_RevisionInUseDeleteUsedIstiod)->Unit(benchmark::kMicrosecond);

void BM_RevisionInUseDeleteUnusedIstiod(benchmark::State& state) {
  evaluate<policies::RevisionInUseRule>(state, facts("DELETE", "apps", "Deployment", "istio-system", "istiod-1-21"),
                                        nullptr, istiod("1-21"));
}
BENCHMARK(BM_RevisionInUseDeleteUnusedIstiod)->Unit(benchmark::kMicrosecond);

void BM_InjectionKeptUnderStrictLabelRemoved(benchmark::State& state) {
  evaluate<policies::InjectionKeptUnderStrictRule>(state, facts("UPDATE", "", "Namespace", "", namespaceName(21)),
                                                   namespaceObject(namespaceName(21), nlohmann::json::object()),
                                                   namespaceObject(namespaceName(21), {{"istio.io/rev", "prod"}}));
}
BENCHMARK(BM_InjectionKeptUnderStrictLabelRemoved)->Unit(benchmark::kMicrosecond);

void BM_ChangeGovernanceMeshWideOutsideWindow(benchmark::State& state) {
  const policies::ChangeGovernanceRule rule;
  policies::RuleSettings settings = policies::defaultSettings(rule);
  settings.action = policies::Action::Deny;
  settings.set("meshWideOwners", std::vector<std::string>{"group:platform-team"});
  settings.set("windows", std::vector<std::string>{"Tue,Thu 09:00-11:00 Europe/Berlin", "Sat 22:00-02:00 UTC"});
  settings.config = *rule.configure(settings);
  bench::evaluateRule(state, rule, facts("CREATE", "security.istio.io", "PeerAuthentication", "istio-system", "default"),
                      meshWideStrict(), nullptr, cluster(), settings);
}
BENCHMARK(BM_ChangeGovernanceMeshWideOutsideWindow)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace meshward
