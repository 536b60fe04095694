#include "policies/service_port_protocol/service_port_protocol_rule.h"

#include <array>
#include <optional>
#include <string>

#include "policies/common/workload.h"
#include "policies/meshes/istio.h"
#include "webhook/common/ascii.h"
#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

constexpr std::int64_t kHttpsPort = 443;

// How Istio carries a port's traffic, as far as the choice matters here.
enum class Family { Http, Tls, Tcp, Udp, Mongo, MySql, Redis };

struct Protocol {
  std::string_view name;  // as Istio spells it in a port name prefix or an appProtocol
  Family family;
};

// Istio's protocol selection (https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/).
constexpr std::array<Protocol, 14> kProtocols = {{{"http", Family::Http},
                                                  {"http2", Family::Http},
                                                  {"grpc", Family::Http},
                                                  {"grpc-web", Family::Http},
                                                  {"kubernetes.io/h2c", Family::Http},
                                                  {"h2c", Family::Http},
                                                  {"https", Family::Tls},
                                                  {"tls", Family::Tls},
                                                  {"kubernetes.io/wss", Family::Tls},
                                                  {"tcp", Family::Tcp},
                                                  {"udp", Family::Udp},
                                                  {"mongo", Family::Mongo},
                                                  {"mysql", Family::MySql},
                                                  {"redis", Family::Redis}}};

std::optional<Protocol> protocolNamed(std::string_view name) {
  const std::string lowered = asciiLowercase(name);
  for (const Protocol& protocol : kProtocols) {
    if (protocol.name == lowered) {
      return protocol;
    }
  }
  return std::nullopt;
}

// "http-web" and "http" name HTTP; a name without a known <protocol>[-suffix] prefix names none.
std::optional<Protocol> protocolOfPortName(std::string_view port_name) {
  const std::string lowered = asciiLowercase(port_name);
  std::optional<Protocol> found;
  for (const Protocol& protocol : kProtocols) {
    if (lowered == protocol.name || lowered.starts_with(std::string(protocol.name) + "-")) {
      if (!found || protocol.name.size() > found->name.size()) {
        found = protocol;  // "grpc-web" over "grpc"
      }
    }
  }
  return found;
}

std::string describePort(const nlohmann::json& port, std::size_t index) {
  const std::optional<std::string_view> name = stringMember(&port, "name");
  return "spec.ports[" + std::to_string(index) + "]" + (name ? " (" + std::string(*name) + ")" : "");
}

}  // namespace

const RuleMetadata& ServicePortProtocolRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "service-port-protocol",
      .type = RuleType::Validating,
      .kinds = {cluster::kinds::Service},
      .operations = {"CREATE", "UPDATE"},
      .default_action = Action::Warn,
      .description =
          "Warns about mesh Services whose port 443 is named for plaintext HTTP or whose appProtocol contradicts "
          "the port name.",
      .codes = {messages::ServicePortProtocolMismatch},
      .parameters = {},
      .inputs = {{cluster::kinds::Namespace, false}},
      .reads = {{cluster::kinds::Service, {"/spec/ports"}}, {cluster::kinds::Namespace, {"/metadata/labels"}}},
      .indexes = {},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

void ServicePortProtocolRule::evaluate(const RuleContext& context, Report& report) const {
  const nlohmann::json* ports = arrayMember(objectMember(&context.object, "spec"), "ports");
  if (ports == nullptr ||
      !istio::inMesh(context.cluster.findNamespace(objectNamespace(context.request, context.object)))) {
    return;
  }
  const std::string subject = describeObject(context.request, context.object);
  for (std::size_t i = 0; i < ports->size(); ++i) {
    const nlohmann::json& port = (*ports)[i];
    const std::optional<Protocol> named = protocolOfPortName(stringMember(&port, "name").value_or(""));
    const std::optional<std::string_view> app_protocol_text = stringMember(&port, "appProtocol");
    const std::optional<Protocol> app_protocol =
        app_protocol_text ? protocolNamed(*app_protocol_text) : std::optional<Protocol>();
    const nlohmann::json* number = member(&port, "port");
    const bool https_port = number != nullptr && number->is_number_integer() && number->get<std::int64_t>() == kHttpsPort;

    if (named && app_protocol && named->family != app_protocol->family) {
      report.finding(messages::ServicePortProtocolMismatch,
                     subject + ": " + describePort(port, i) + " has appProtocol " + std::string(*app_protocol_text) +
                         " but a name that says " + std::string(named->name) +
                         "; Istio goes by appProtocol, so whoever reads the name expects the wrong protocol. Make "
                         "them agree (rename the port to " + std::string(app_protocol->name) +
                         "-<suffix>, or fix appProtocol).");
      continue;
    }
    const std::optional<Protocol> effective = app_protocol ? app_protocol : named;
    if (https_port && effective && effective->family == Family::Http) {
      report.finding(messages::ServicePortProtocolMismatch,
                     subject + ": " + describePort(port, i) + " is port 443 but Istio treats it as plaintext " +
                         std::string(effective->name) +
                         " (from its " + (app_protocol ? "appProtocol" : "name") +
                         "), so TLS that clients send to 443 reaches Envoy as garbled HTTP and fails (istio/istio#14520). "
                         "Name it https or tls (or https-<suffix>), or set appProtocol: https; use http only if the port "
                         "really serves plaintext.");
    }
  }
}

}  // namespace meshward::policies
