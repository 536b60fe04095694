#include "policies/rollout_strategy/rollout_strategy_rule.h"

#include <array>

#include "webhook/common/json_fields.h"
#include "policies/common/pod_preamble.h"
#include "policies/common/workload.h"
#include "policies/rollout_strategy/int_or_percent.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kMaxUnavailable = "maxUnavailable";
constexpr std::string_view kMaxSurge = "maxSurge";
constexpr std::string_view kLastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";
// What kube-apiserver fills in for an unset maxUnavailable or maxSurge.
constexpr std::string_view kApiServerDefault = "25%";

struct RollingUpdateField {
  std::string_view name;
  const nlohmann::json* current = nullptr;  // nullptr when absent or null
  bool user_set = false;
  std::optional<nlohmann::json> wanted;  // what meshward sets

  nlohmann::json effective() const {
    if (wanted) {
      return *wanted;
    }
    return current != nullptr ? *current : nlohmann::json(kApiServerDefault);
  }
};

// The rollingUpdate object of the kubectl last-applied-configuration annotation: nullopt when
// the annotation is absent or not JSON (no evidence), JSON null when it sets no rollingUpdate.
std::optional<nlohmann::json> lastAppliedRollingUpdate(const nlohmann::json& object) {
  const std::optional<std::string_view> text =
      stringMember(objectMember(objectMember(&object, "metadata"), "annotations"), kLastAppliedAnnotation);
  if (!text) {
    return std::nullopt;
  }
  const nlohmann::json applied = nlohmann::json::parse(*text, nullptr, false);
  if (!applied.is_object()) {
    return std::nullopt;
  }
  const nlohmann::json* rolling =
      objectMember(objectMember(objectMember(&applied, "spec"), "strategy"), "rollingUpdate");
  return rolling != nullptr ? *rolling : nlohmann::json();
}

// Present counts as set by the user, unless it is the API server's default and the last
// kubectl apply did not set it.
bool setByUser(const nlohmann::json* current, std::string_view name,
               const std::optional<nlohmann::json>& last_applied) {
  if (current == nullptr) {
    return false;
  }
  const bool api_server_default = current->is_string() && current->get_ref<const std::string&>() == kApiServerDefault;
  return !(api_server_default && last_applied && member(*last_applied, name) == nullptr);
}

const nlohmann::json* presentMember(const nlohmann::json* parent, std::string_view key) {
  const nlohmann::json* value = member(parent, key);
  return value != nullptr && !value->is_null() ? value : nullptr;
}

struct RolloutStrategyConfig final : RuleConfig {
  std::optional<nlohmann::json> max_unavailable;  // nullopt: not set
  std::optional<nlohmann::json> max_surge;
};

// An integer or a percentage; "" for "do not set".
Result<std::optional<nlohmann::json>> readIntOrPercent(const RuleSettings& settings, std::string_view name) {
  const std::string& text = settings.text(name);
  if (text.empty()) {
    return std::optional<nlohmann::json>();
  }
  std::optional<nlohmann::json> value = parseIntOrPercent(text);
  if (!value) {
    return Error{std::string(name) + ": '" + text + "' is neither a whole number nor a percentage such as \"25%\""};
  }
  return value;
}

std::string describeWanted(const std::array<RollingUpdateField, 2>& fields) {
  std::string text;
  for (const RollingUpdateField& field : fields) {
    if (field.wanted) {
      text += (text.empty() ? "" : " and ") + std::string(field.name) + ": " + field.wanted->dump();
    }
  }
  return text;
}

}  // namespace

const RuleMetadata& RolloutStrategyRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "rollout-strategy",
      .type = RuleType::Mutating,
      .kinds = {cluster::kinds::Deployment},
      .operations = {"CREATE", "UPDATE"},
      .default_action = Action::Mutate,
      .description = "Makes rolling updates of meshed Deployments start a new pod before stopping an old one.",
      .codes = {messages::RollingUpdateMayDropMeshTraffic},
      .parameters =
          {
              {kMaxUnavailable, ParamType::String, "0",
               "maxUnavailable to set when the Deployment leaves it unset (an integer or a percentage). Not set "
               "when the Deployment's maxSurge is 0, which would make the rollout impossible."},
              {kMaxSurge, ParamType::String, "1",
               "maxSurge to set when the Deployment leaves it unset (an integer or a percentage)."},
          },
      .inputs = {{cluster::kinds::Namespace, false}},
      .reads = {{cluster::kinds::Deployment, {"/spec/strategy", "/metadata/annotations"}},
                podTemplateReadsOf(cluster::kinds::Deployment), namespaceInjectionReads()},
      .indexes = {},
      .meshes = {Mesh::Istio, Mesh::Linkerd},
  };
  return metadata;
}

Result<std::shared_ptr<const RuleConfig>> RolloutStrategyRule::configure(const RuleSettings& settings) const {
  auto config = std::make_shared<RolloutStrategyConfig>();
  Result<std::optional<nlohmann::json>> unavailable = readIntOrPercent(settings, kMaxUnavailable);
  if (!unavailable) {
    return Error{unavailable.error()};
  }
  Result<std::optional<nlohmann::json>> surge = readIntOrPercent(settings, kMaxSurge);
  if (!surge) {
    return Error{surge.error()};
  }
  config->max_unavailable = std::move(*unavailable);
  config->max_surge = std::move(*surge);
  return std::shared_ptr<const RuleConfig>(std::move(config));
}

void RolloutStrategyRule::evaluate(const RuleContext& context, Report& report) const {
  const nlohmann::json* spec = objectMember(&context.object, "spec");
  if (spec == nullptr || !podPreamble(context)->runsAnyProxyOf(metadata().meshes)) {
    return;
  }
  const RolloutStrategyConfig& config = context.config<RolloutStrategyConfig>();
  const nlohmann::json* strategy = presentMember(spec, "strategy");
  if (strategy != nullptr && !strategy->is_object()) {
    return;
  }
  if (const nlohmann::json* type = presentMember(strategy, "type");
      type != nullptr && !(type->is_string() && type->get_ref<const std::string&>() == "RollingUpdate")) {
    return;
  }
  const nlohmann::json* rolling = presentMember(strategy, "rollingUpdate");
  if (rolling != nullptr && !rolling->is_object()) {
    return;
  }

  const std::optional<nlohmann::json> last_applied = lastAppliedRollingUpdate(context.object);
  std::array<RollingUpdateField, 2> fields;
  fields[0].name = kMaxUnavailable;
  fields[1].name = kMaxSurge;
  for (RollingUpdateField& field : fields) {
    field.current = presentMember(rolling, field.name);
    field.user_set = setByUser(field.current, field.name, last_applied);
    if (!field.user_set) {
      field.wanted = field.name == kMaxUnavailable ? config.max_unavailable : config.max_surge;
    }
  }
  // Both at zero is an invalid Deployment: the one the user did not choose gives way.
  RollingUpdateField& unavailable = fields[0];
  RollingUpdateField& surge = fields[1];
  if (unavailable.wanted && isZeroIntOrPercent(*unavailable.wanted) && isZeroIntOrPercent(surge.effective())) {
    unavailable.wanted.reset();
  }
  if (surge.wanted && isZeroIntOrPercent(*surge.wanted) && isZeroIntOrPercent(unavailable.effective())) {
    surge.wanted.reset();
  }
  bool changes = false;
  for (RollingUpdateField& field : fields) {
    if (field.wanted && field.current != nullptr && *field.current == *field.wanted) {
      field.wanted.reset();
    }
    changes = changes || field.wanted.has_value();
  }
  if (!changes) {
    return;
  }

  if (context.settings.action != Action::Mutate) {
    report.finding(messages::RollingUpdateMayDropMeshTraffic,
                   describeObject(context.request, context.object) +
                       ": a rolling update may stop serving pods before their replacements and the replacements' "
                       "sidecars are ready, dropping mesh traffic. Set spec.strategy.rollingUpdate." +
                       describeWanted(fields) + ".");
    return;
  }
  nlohmann::json wanted = nlohmann::json::object();
  for (const RollingUpdateField& field : fields) {
    if (field.wanted) {
      wanted[std::string(field.name)] = *field.wanted;
    }
  }
  if (strategy == nullptr) {
    report.patch("add", "/spec/strategy", {{"rollingUpdate", std::move(wanted)}});
  } else if (rolling == nullptr) {
    report.patch("add", "/spec/strategy/rollingUpdate", std::move(wanted));
  } else {
    for (const RollingUpdateField& field : fields) {
      if (field.wanted) {
        report.patch(field.current != nullptr ? "replace" : "add",
                     "/spec/strategy/rollingUpdate/" + std::string(field.name), *field.wanted);
      }
    }
  }
}

}  // namespace meshward::policies
