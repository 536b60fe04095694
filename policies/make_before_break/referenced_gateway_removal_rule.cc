#include "policies/make_before_break/referenced_gateway_removal_rule.h"

#include "policies/common/virtual_service_references.h"
#include "policies/common/workload.h"
#include "policies/indexes/virtual_service_references_index.h"
#include "policies/meshes/istio.h"
#include "policies/make_before_break/referencing_virtual_services.h"

namespace meshward::policies {

const RuleMetadata& ReferencedGatewayRemovalRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "referenced-gateway-removal",
      .type = RuleType::Validating,
      .kinds = {istio::Gateway},
      .operations = {"DELETE"},
      .default_action = Action::Deny,
      .description = "Stops deleting a Gateway while VirtualServices still bind to it.",
      .codes = {messages::GatewayStillReferenced},
      .parameters = {},
      .inputs = {{istio::VirtualService}},
      .reads = {{istio::VirtualService, virtualServiceReferenceFields()}},
      .indexes = {&virtualServiceReferencesIndex()},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

void ReferencedGatewayRemovalRule::evaluate(const RuleContext& context, Report& report) const {
  const std::string namespace_name = objectNamespace(context.request, context.old_object);
  const std::string name = requestObjectName(context.request, context.old_object);
  if (name.empty()) {
    return;
  }
  if (!context.inputsAvailable(report)) {
    return;
  }
  std::vector<std::string> services;
  for (const cluster::ObjectKey& service : virtualServicesBoundToGateway(context.cluster, namespace_name, name)) {
    if (!context.mesh.isIgnoredNamespace(service.namespace_name)) {
      services.push_back(service.namespace_name + "/" + service.name);
    }
  }
  if (services.empty()) {
    return;
  }
  report.finding(messages::GatewayStillReferenced,
                 "Gateway " + namespace_name + "/" + name + ": " + countOfVirtualServices(services.size()) +
                     (services.size() == 1 ? " still binds" : " still bind") +
                     " to it through spec.gateways: " + firstFew(services) +
                     ". Deleting it takes their routes off the gateway, so the traffic it lets in stops reaching "
                     "them. Make before break: first remove this Gateway from spec.gateways of those "
                     "VirtualServices (or bind them to its replacement), then delete it.");
}

}  // namespace meshward::policies
