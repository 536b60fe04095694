#include "policies/control_plane_revisions/revision_exists_rule.h"

#include <optional>

#include "policies/common/pod_preamble.h"
#include "policies/common/workload.h"
#include "policies/indexes/istio_injectors.h"
#include "policies/meshes/istio.h"
#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

std::vector<cluster::KindInfo> reviewedKinds() {
  std::vector<cluster::KindInfo> kinds = {cluster::kinds::Namespace};
  for (const cluster::KindInfo& kind : podWorkloadKinds()) {
    kinds.push_back(kind);
  }
  return kinds;
}

// Each reviewed kind's labels that the injector reads (its own, or its pod template's), and its
// ownerReferences: an object a controller made is judged at its owner.
std::vector<FieldReads> reviewedReads() {
  static const std::vector<std::string> pointers = [] {
    std::vector<std::string> all;
    for (const cluster::KindInfo& kind : podWorkloadKinds()) {
      all.push_back(std::string(podTemplatePointer(kind.kind).value_or("")) + "/metadata/labels");
    }
    return all;
  }();
  std::vector<FieldReads> reads = {{cluster::kinds::Namespace, {"/metadata/labels"}}};
  const std::vector<cluster::KindInfo>& kinds = podWorkloadKinds();
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    reads.push_back({kinds[i], {pointers[i], "/metadata/ownerReferences"}});
  }
  return reads;
}

// The labels that decide what the injector does for `object`: a Namespace's own, a Pod's, a
// workload's pod template's.
cluster::Labels injectionLabels(std::string_view kind, const nlohmann::json& object) {
  if (kind == cluster::kinds::Namespace.kind) {
    return labelsAt(objectMember(&object, "metadata"));
  }
  const std::optional<PodTemplate> pod = findPodTemplate(kind, object);
  return pod ? labelsAt(pod->metadata) : cluster::Labels();
}

bool controlledByAnother(const nlohmann::json& object) {
  const nlohmann::json* owners = member(objectMember(&object, "metadata"), "ownerReferences");
  if (owners == nullptr || !owners->is_array()) {
    return false;
  }
  for (const nlohmann::json& owner : *owners) {
    const nlohmann::json* controller = member(&owner, "controller");
    if (controller != nullptr && controller->is_boolean() && controller->get<bool>()) {
      return true;
    }
  }
  return false;
}

}  // namespace

const RuleMetadata& RevisionExistsRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "revision-exists",
      .type = RuleType::Validating,
      .kinds = reviewedKinds(),
      .operations = {"CREATE", "UPDATE"},
      .default_action = Action::Deny,
      .description =
          "Stops Namespaces, Pods and workloads whose istio.io/rev names a control-plane revision or tag that no "
          "sidecar injector serves.",
      .codes = {messages::RevisionWithoutInjector},
      .parameters = {},
      .inputs = {{MutatingWebhookConfiguration}},
      .reads = reviewedReads(),
      .indexes = {&istioInjectorsIndex()},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

void RevisionExistsRule::evaluate(const RuleContext& context, Report& report) const {
  const RequestFacts& request = context.request;
  if (controlledByAnother(context.object)) {
    return;
  }
  const cluster::Labels labels = injectionLabels(request.kind, context.object);
  const auto revision_label = labels.find(istio::kRevisionLabel);
  if (revision_label == labels.end() || !selectedRevision(labels, request.kind == "Namespace")) {
    return;
  }
  const std::string& revision = revision_label->second;
  if (request.operation == "UPDATE") {
    const cluster::Labels before = injectionLabels(request.kind, context.old_object);
    const auto old_revision = before.find(istio::kRevisionLabel);
    if (old_revision != before.end() && old_revision->second == revision) {
      return;
    }
  }
  if (!context.inputsAvailable(report)) {
    return;
  }
  const Injectors injectors = istioInjectors(context.cluster);
  // Without any injector in view (Istio not installed, or `meshward check` without the control
  // plane's manifests) there is nothing to compare against.
  if (injectors.empty() || injectors.serves(revision)) {
    return;
  }
  const std::string where = request.kind == "Namespace" || request.kind == "Pod" ? "" : " on its pod template";
  report.finding(messages::RevisionWithoutInjector,
                 describeObject(request, context.object) + ": istio.io/rev=" + revision + where +
                     " names no control-plane revision or revision tag that has a sidecar injector (the cluster's: " +
                     injectors.describe() +
                     "), so its pods start without an Istio sidecar, or cannot be created while the webhook points "
                     "at an istiod that is gone. Use one of those names (istioctl tag list), or install revision " +
                     revision + " first.");
}

}  // namespace meshward::policies
