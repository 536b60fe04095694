#include "policies/proxy_defaults/proxy_defaults_rule.h"

#include <algorithm>

#include "webhook/common/json_fields.h"
#include "policies/common/pod_preamble.h"
#include "policies/common/workload.h"
#include "policies/proxy_defaults/proxy_config_merge.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kProxyConfigAnnotation = "proxy.istio.io/config";
constexpr std::string_view kHoldApplication = "holdApplicationUntilProxyStarts";
constexpr std::string_view kDrainDuration = "terminationDrainDuration";
constexpr std::string_view kInvalidConfigAction = "invalidConfigAction";

struct ProxyDefaultsConfig final : RuleConfig {
  std::vector<ProxyConfigField> fields;
  Action invalid_config_action = Action::Warn;
};

std::vector<ProxyConfigField> wantedFields(const RuleSettings& settings) {
  std::vector<ProxyConfigField> fields;
  if (settings.flag(kHoldApplication)) {
    fields.push_back({kHoldApplication, "hold_application_until_proxy_starts", true});
  }
  if (const std::string& drain = settings.text(kDrainDuration); !drain.empty()) {
    fields.push_back({kDrainDuration, "termination_drain_duration", drain});
  }
  return fields;
}

std::string listFields(const std::vector<ProxyConfigField>& fields, const std::vector<std::string>& names) {
  std::string listed;
  for (const ProxyConfigField& field : fields) {
    if (std::find(names.begin(), names.end(), field.name) == names.end()) {
      continue;
    }
    listed += (listed.empty() ? "" : " and ") + std::string(field.name) + ": " + field.value.dump();
  }
  return listed;
}

std::string consequences(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) {
    if (!text.empty()) {
      text += ", and ";
    }
    if (name == kHoldApplication) {
      text += "the application can start before Envoy is ready and its first outbound calls fail";
    } else if (name == kDrainDuration) {
      text += "Envoy drains for only the 5s default at shutdown and cuts longer in-flight requests";
    }
  }
  return text;
}

// One JSON patch operation that gives the pod (template) the wanted annotation value.
struct Change {
  std::string op;
  std::string path;
  nlohmann::json value;
  std::vector<std::string> added;
};

class Evaluation {
 public:
  Evaluation(const RuleContext& context, Report& report, const PodTemplate& pod)
      : context_(context),
        report_(report),
        pod_(pod),
        config_(context.config<ProxyDefaultsConfig>()),
        fields_(config_.fields),
        workload_(describeObject(context.request, context.object)) {}

  void run() {
    if (fields_.empty()) {
      return;
    }
    std::optional<Change> change = plan();
    if (!change) {
      return;
    }
    if (context_.settings.action == Action::Mutate) {
      report_.patch(std::move(change->op), std::move(change->path), std::move(change->value));
      return;
    }
    report_.finding(messages::ProxyDefaultsNotApplied,
                    workload_ + ": the istio-proxy sidecar will run without " + listFields(fields_, change->added) +
                        "; " + consequences(change->added) + ". Add them to the " +
                        std::string(kProxyConfigAnnotation) + " annotation on the " + std::string(pod_.noun()) + ".");
  }

 private:
  std::optional<Change> plan() {
    std::vector<std::string> all_names;
    for (const ProxyConfigField& field : fields_) {
      all_names.emplace_back(field.name);
    }
    const std::string metadata_path = pod_.pointer + "/metadata";
    const nlohmann::json* metadata = member(pod_.node, "metadata");
    if (metadata == nullptr || metadata->is_null()) {
      nlohmann::json value = {{"annotations", {{kProxyConfigAnnotation, newProxyConfig(fields_)}}}};
      return Change{"add", metadata_path, std::move(value), all_names};
    }
    const nlohmann::json* annotations = member(metadata, "annotations");
    if (!metadata->is_object() || (annotations != nullptr && !annotations->is_object() && !annotations->is_null())) {
      return std::nullopt;
    }
    if (annotations == nullptr || annotations->is_null()) {
      nlohmann::json value = {{kProxyConfigAnnotation, newProxyConfig(fields_)}};
      return Change{"add", metadata_path + "/annotations", std::move(value), all_names};
    }
    const std::string config_path = metadata_path + "/annotations/" + escapePointerToken(kProxyConfigAnnotation);
    const nlohmann::json* config = member(annotations, kProxyConfigAnnotation);
    if (config == nullptr || config->is_null()) {
      return Change{"add", config_path, newProxyConfig(fields_), all_names};
    }
    if (!config->is_string()) {
      reportUnusable("is " + describeJsonType(*config) + ", not a string");
      return std::nullopt;
    }
    ProxyConfigMerge merge = mergeProxyConfig(config->get_ref<const std::string&>(), fields_);
    switch (merge.outcome) {
      case ProxyConfigMerge::Outcome::Unchanged:
        return std::nullopt;
      case ProxyConfigMerge::Outcome::Merged:
        return Change{"replace", config_path, std::move(merge.text), std::move(merge.added)};
      case ProxyConfigMerge::Outcome::InvalidYaml:
        reportUnusable("is not valid YAML (" + merge.problem + ")");
        return std::nullopt;
      case ProxyConfigMerge::Outcome::NotAMap:
        reportUnusable("is " + merge.problem + ", not a map of ProxyConfig fields");
        return std::nullopt;
      case ProxyConfigMerge::Outcome::CannotMerge:
        report_.finding(messages::ProxyDefaultsNotApplied,
                        workload_ + ": meshward could not add " + listFields(fields_, merge.added) + " to the " +
                            std::string(kProxyConfigAnnotation) + " annotation because " + merge.problem + "; " +
                            consequences(merge.added) + ". Add them to the annotation by hand.",
                        config_.invalid_config_action);
        return std::nullopt;
    }
    return std::nullopt;
  }

  void reportUnusable(const std::string& problem) {
    report_.finding(messages::ProxyConfigAnnotationInvalid,
                    workload_ + ": the " + std::string(kProxyConfigAnnotation) + " annotation " + problem +
                        "; Istio's sidecar injector cannot parse it and will refuse to inject the pod. Make it a "
                        "YAML map of ProxyConfig fields, e.g. 'holdApplicationUntilProxyStarts: true'.",
                    config_.invalid_config_action);
  }

  const RuleContext& context_;
  Report& report_;
  const PodTemplate& pod_;
  const ProxyDefaultsConfig& config_;
  const std::vector<ProxyConfigField>& fields_;
  const std::string workload_;
};

}  // namespace

const RuleMetadata& ProxyDefaultsRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "proxy-defaults",
      .type = RuleType::Mutating,
      .kinds = podWorkloadKinds(),
      .operations = {"CREATE", "UPDATE"},
      .default_action = Action::Mutate,
      .description = "Makes Istio sidecars start before the application and drain connections on shutdown.",
      .codes = {messages::ProxyConfigAnnotationInvalid, messages::ProxyDefaultsNotApplied},
      .parameters =
          {
              {kHoldApplication, ParamType::Bool, "true",
               "Add holdApplicationUntilProxyStarts: true unless the pod sets it; false adds nothing."},
              {kDrainDuration, ParamType::Duration, "30s", "terminationDrainDuration to add unless the pod sets it."},
              {kInvalidConfigAction, ParamType::Action, "warn",
               "Action when the proxy.istio.io/config annotation is not a YAML map meshward can extend."},
          },
      .inputs = {{cluster::kinds::Namespace, false}},
      .reads = podPreambleReads(),
      .indexes = {},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

Result<std::shared_ptr<const RuleConfig>> ProxyDefaultsRule::configure(const RuleSettings& settings) const {
  auto config = std::make_shared<ProxyDefaultsConfig>();
  config->fields = wantedFields(settings);
  config->invalid_config_action = settings.actionParam(kInvalidConfigAction);
  return std::shared_ptr<const RuleConfig>(std::move(config));
}

void ProxyDefaultsRule::evaluate(const RuleContext& context, Report& report) const {
  const std::shared_ptr<const PodPreamble> preamble = podPreamble(context);
  if (!preamble->runsProxy(Mesh::Istio)) {
    return;
  }
  Evaluation(context, report, *preamble->pod).run();
}

}  // namespace meshward::policies
