#include "policies/virtualservice_references/virtualservice_gateway_exists_rule.h"

#include "policies/common/virtual_service_references.h"
#include "policies/common/workload.h"
#include "policies/indexes/gateways_by_name.h"
#include "policies/meshes/istio.h"

namespace meshward::policies {
namespace {

// Istio also binds a VirtualService to a Kubernetes Gateway API Gateway of that name.
constexpr cluster::KindInfo kGatewayApiGateway{"gateway.networking.k8s.io", "Gateway", "gateways", ""};

bool gatewayExists(const cluster::ClusterState& cluster, const GatewayReference& reference) {
  return findGatewaySummary(cluster, reference.namespace_name, reference.name).has_value() ||
         cluster.findObject(kGatewayApiGateway.group, kGatewayApiGateway.kind, reference.namespace_name,
                            reference.name) != nullptr;
}

// A name written without a namespace often means the mesh root namespace's Gateway.
std::string rootNamespaceHint(const RuleContext& context, const GatewayReference& reference) {
  const std::string& root = context.mesh.root_namespace;
  if (reference.written.find('/') != std::string::npos || root.empty() || reference.namespace_name == root) {
    return "";
  }
  const GatewayReference in_root{reference.written, root, reference.name, reference.index};
  if (!gatewayExists(context.cluster, in_root)) {
    return "";
  }
  return "; Gateway " + root + "/" + reference.name + " exists, write \"" + root + "/" + reference.name + "\"";
}

}  // namespace

const RuleMetadata& VirtualServiceGatewayExistsRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "virtualservice-gateway-exists",
      .type = RuleType::Validating,
      .kinds = {istio::VirtualService},
      .operations = {"CREATE", "UPDATE"},
      .default_action = Action::Deny,
      .description = "Stops VirtualServices that bind to a Gateway that does not exist (IST0101).",
      .codes = {messages::VirtualServiceGatewayNotFound},
      .parameters = {},
      .inputs = {{istio::Gateway}, {kGatewayApiGateway, false}},
      .reads = {{istio::VirtualService, virtualServiceReferenceFields()}},
      .indexes = {&gatewaysByNameIndex()},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

void VirtualServiceGatewayExistsRule::evaluate(const RuleContext& context, Report& report) const {
  const std::string from_namespace = objectNamespace(context.request, context.object);
  std::vector<GatewayReference> references = gatewayReferences(context.object, from_namespace);
  // Generated names stand for a Gateway API listener; istioctl analyze flags them separately (IST0165).
  std::erase_if(references, isGeneratedGatewayReference);
  if (references.empty()) {
    return;
  }
  if (!context.inputsAvailable(report)) {
    return;
  }
  const std::string subject = describeObject(context.request, context.object);

  std::string missing;
  std::size_t missing_count = 0;
  for (const GatewayReference& reference : references) {
    if (gatewayExists(context.cluster, reference)) {
      continue;
    }
    ++missing_count;
    missing += (missing.empty() ? "" : ", ") + reference.namespace_name + "/" + reference.name + " (spec.gateways[" +
               std::to_string(reference.index) + "]" + rootNamespaceHint(context, reference) + ")";
  }
  if (missing_count == 0) {
    return;
  }
  const bool one = missing_count == 1;
  report.finding(messages::VirtualServiceGatewayNotFound,
                 subject + " binds to " +
                     (one ? "a Gateway that does" : std::to_string(missing_count) + " Gateways that do") +
                     " not exist: " + missing +
                     ", so no gateway serves its routes and requests for its hosts get 404 (NR) there. Create the " +
                     (one ? "Gateway" : "Gateways") + " first, or apply " + (one ? "it" : "them") +
                     " in an earlier Argo CD sync wave than this VirtualService; a name without \"namespace/\" means "
                     "namespace " +
                     from_namespace + ". istioctl analyze reports this as IST0101 (ReferencedResourceNotFound).");
}

}  // namespace meshward::policies
