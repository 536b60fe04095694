#pragma once
// What `meshward doctor` finds wrong with meshward's webhook configurations in a cluster, each
// problem with its fix. Pure functions of the objects read from the API server, so they are tested
// without one: the webhook configurations, the Service and Endpoints each webhook calls, and the
// serving certificate.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

namespace meshward::cli {

struct DoctorFinding {
  std::string check;    // "failure-policy", "timeout", ...
  std::string subject;  // "ValidatingWebhookConfiguration meshward, webhook istio.validate.meshward.dev"
  std::string problem;
  std::string fix;
};

// (apiGroup, resource, operation): what a webhook's rules send.
using AdmissionTuple = std::tuple<std::string, std::string, std::string>;
using AdmissionTuples = std::set<AdmissionTuple>;

// What the registered rules read, by webhook type ("validating", "mutating").
AdmissionTuples expectedTuples(std::string_view webhook_type);

// One meshward webhook (its name ends in ".meshward.dev") of a configuration.
struct MeshwardWebhook {
  std::string configuration_kind;  // ValidatingWebhookConfiguration | MutatingWebhookConfiguration
  std::string configuration;       // its metadata.name
  nlohmann::json webhook;

  std::string subject() const;
  // clientConfig.service as "namespace/name"; "" when the webhook calls a URL.
  std::string serviceKey() const;
};

// meshward's webhooks in the items of a ValidatingWebhookConfigurationList or a
// MutatingWebhookConfigurationList.
std::vector<MeshwardWebhook> meshwardWebhooks(std::string_view configuration_kind, const nlohmann::json& list);

// Missing webhooks, failurePolicy, timeoutSeconds, namespaceSelector, rules against what the rules
// read, and the mutating configuration's place before Istio's injectors.
std::vector<DoctorFinding> checkConfigurations(const nlohmann::json& validating_list, const nlohmann::json& mutating_list);

// The Service a webhook calls and its Endpoints (nullopt: not found).
std::vector<DoctorFinding> checkService(const std::string& service_key, const std::optional<nlohmann::json>& service,
                                        const std::optional<nlohmann::json>& endpoints);

// The webhook's caBundle against the serving certificate (PEM; nullopt: not readable), for the
// Service's DNS name; either expiring within `warn_within` of `now` is a problem too.
std::vector<DoctorFinding> checkCertificates(const MeshwardWebhook& webhook, const std::optional<std::string>& serving_pem,
                                             std::chrono::system_clock::time_point now,
                                             std::chrono::hours warn_within = std::chrono::hours(24 * 14));

// Whether a metav1.LabelSelector (nullptr or {}: everything) matches `labels`.
bool labelSelectorMatches(const nlohmann::json* selector, const std::map<std::string, std::string>& labels);

}  // namespace meshward::cli
