#include "policies/control_plane_revisions/revision_in_use_rule.h"

#include <map>
#include <optional>

#include "policies/common/name_list.h"
#include "policies/common/workload.h"
#include "policies/indexes/istio_injectors.h"
#include "policies/indexes/pods_without_sidecar.h"
#include "policies/meshes/istio.h"
#include "webhook/common/join.h"
#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kMaxNamed = "maxNamespacesNamed";
constexpr std::string_view kIstiod = "istiod";

struct RevisionInUseConfig final : RuleConfig {
  std::size_t named = 5;
};

// The revision whose control plane the Deployment or Service is: istiod (the default revision)
// or istiod-REV, by its istio.io/rev label, else by its name; nullopt for anything else.
std::optional<std::string> controlPlaneRevision(std::string_view name, const nlohmann::json& object) {
  if (name != kIstiod && !name.starts_with(std::string(kIstiod) + "-")) {
    return std::nullopt;
  }
  const cluster::Labels labels = labelsAt(objectMember(&object, "metadata"));
  const auto revision = labels.find(istio::kRevisionLabel);
  if (revision != labels.end()) {
    return revision->second;
  }
  const auto app = labels.find("app");
  if (app == labels.end() || app->second != kIstiod) {
    return std::nullopt;
  }
  return name == kIstiod ? std::string(kDefaultRevision) : std::string(name.substr(kIstiod.size() + 1));
}

struct Users {
  std::vector<std::string> namespaces;  // "shop" or "shop (tag prod)"
  std::size_t namespace_count = 0;
  std::size_t pod_count = 0;
};

// The namespaces whose labels select `revision` (by its name or a tag pointing at it), and the
// pods that run its sidecar: by the revision their injector wrote on them, else by their own
// istio.io/rev label or their namespace's selection. A pod keeps the sidecar it was injected
// with, so pods of a namespace already relabelled to another revision count until restarted.
Users usersOf(const cluster::ClusterState& cluster, const MeshSettings& mesh, const Injectors& injectors,
              std::string_view revision, std::size_t max_named) {
  Users users;
  std::map<std::string, std::string, std::less<>> selections;  // namespace -> the revision it selects
  cluster.forEachObject(cluster::kinds::Namespace.group, cluster::kinds::Namespace.kind,
                        [&](const cluster::ObjectKey& key, const nlohmann::json& object) {
                          if (mesh.isIgnoredNamespace(key.name)) {
                            return;
                          }
                          const std::optional<std::string> selected =
                              selectedRevision(labelsAt(objectMember(&object, "metadata")), true);
                          if (!selected) {
                            return;
                          }
                          const std::string resolved = injectors.resolve(*selected);
                          selections.emplace(key.name, resolved);
                          if (resolved != revision) {
                            return;
                          }
                          ++users.namespace_count;
                          if (users.namespaces.size() < max_named) {
                            users.namespaces.push_back(key.name + (*selected == revision ? "" : " (tag " + *selected + ")"));
                          }
                        });
  for (const auto& [namespace_name, counts] : podsWithSidecarByRevision(cluster)) {
    if (mesh.isIgnoredNamespace(namespace_name)) {
      continue;
    }
    const auto selection = selections.find(namespace_name);
    for (const auto& [runs, pods] : counts) {
      const std::string& revision_run = runs.empty() && selection != selections.end() ? selection->second : runs;
      if (!revision_run.empty() && injectors.resolve(revision_run) == revision) {
        users.pod_count += pods;
      }
    }
  }
  return users;
}

}  // namespace

const RuleMetadata& RevisionInUseRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "revision-in-use",
      .type = RuleType::Validating,
      .kinds = {cluster::kinds::Deployment, cluster::kinds::Service},
      .operations = {"DELETE"},
      .default_action = Action::Deny,
      .description =
          "Stops deleting a control-plane revision's istiod Deployment or Service while namespaces or pods still "
          "select the revision or a tag pointing at it.",
      .codes = {messages::RevisionStillInUse},
      .parameters =
          {
              {.name = kMaxNamed,
               .type = ParamType::Integer,
               .default_value = "5",
               .description = "How many of the namespaces still on the revision a finding names (0 to 100).",
               .minimum = 0,
               .maximum = 100},
          },
      .inputs = {{cluster::kinds::Namespace}, {MutatingWebhookConfiguration, false}, {cluster::kinds::Pod, false}},
      .reads = {{cluster::kinds::Deployment, {"/metadata/labels"}},
                {cluster::kinds::Service, {"/metadata/labels"}},
                {cluster::kinds::Namespace, {"/metadata/labels"}}},
      .indexes = {&istioInjectorsIndex(), &podsWithSidecarIndex()},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

Result<std::shared_ptr<const RuleConfig>> RevisionInUseRule::configure(const RuleSettings& settings) const {
  auto config = std::make_shared<RevisionInUseConfig>();
  config->named = static_cast<std::size_t>(settings.integer(kMaxNamed));
  return std::shared_ptr<const RuleConfig>(std::move(config));
}

void RevisionInUseRule::evaluate(const RuleContext& context, Report& report) const {
  const RequestFacts& request = context.request;
  const std::string name = request.name.empty()
                               ? std::string(stringMember(objectMember(&context.old_object, "metadata"), "name").value_or(""))
                               : request.name;
  const std::optional<std::string> revision = controlPlaneRevision(name, context.old_object);
  if (!revision || !context.inputsAvailable(report)) {
    return;
  }
  const Injectors injectors = istioInjectors(context.cluster);
  const std::vector<std::string> names = injectors.namesOf(*revision);
  const Users users =
      usersOf(context.cluster, context.mesh, injectors, *revision, context.config<RevisionInUseConfig>().named);
  if (users.namespace_count == 0 && users.pod_count == 0) {
    return;
  }
  std::string tags;
  for (std::size_t i = 1; i < names.size(); ++i) {
    tags += (i == 1 ? " (and its tag" + std::string(names.size() > 2 ? "s " : " ") : ", ") + names[i];
  }
  tags += tags.empty() ? "" : ")";
  std::vector<std::string> uses;
  if (users.namespace_count > 0) {
    uses.push_back(std::to_string(users.namespace_count) +
                   (users.namespace_count == 1 ? " namespace selects it" : " namespaces select it") +
                   (users.namespaces.empty() ? "" : " (" + listNames(users.namespaces, users.namespace_count) + ")"));
  }
  if (users.pod_count > 0) {
    uses.push_back(std::to_string(users.pod_count) + (users.pod_count == 1 ? " pod runs" : " pods run") +
                   " its sidecar");
  }
  report.finding(
      messages::RevisionStillInUse,
      describeObject(request, context.old_object) + " is the control plane of Istio revision " + *revision + tags +
          ", and it is still in use: " + joinStrings(uses, " and ") +
          ". Deleting it leaves new pods there uncreatable (\"service istiod not found\" from the injector) and "
          "running proxies without configuration. Move them first: relabel each namespace (kubectl label namespace "
          "NAME istio.io/rev=OTHER --overwrite) or point the tag elsewhere (istioctl tag set TAG --revision OTHER "
          "--overwrite), restart their workloads, then delete the revision.");
}

}  // namespace meshward::policies
