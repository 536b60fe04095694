#include "webhook/cli/doctor_checks.h"

#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <map>

#include "policies/registry.h"
#include "webhook/cluster/kube/base64_decode.h"
#include "webhook/common/join.h"
#include "webhook/common/json_fields.h"
#include "webhook/common/openssl_handles.h"
#include "webhook/common/rfc3339.h"

namespace meshward::cli {
namespace {

constexpr std::string_view kWebhookSuffix = ".meshward.dev";
constexpr std::string_view kValidating = "ValidatingWebhookConfiguration";
constexpr std::string_view kMutating = "MutatingWebhookConfiguration";
constexpr int kMostTimeoutSeconds = 3;
constexpr std::string_view kNamespaceNameLabel = "kubernetes.io/metadata.name";

std::string stringAt(const nlohmann::json& object, std::string_view key, std::string fallback = "") {
  return std::string(stringMember(&object, key).value_or(fallback));
}

std::vector<std::string> strings(const nlohmann::json* list) {
  std::vector<std::string> values;
  if (list != nullptr && list->is_array()) {
    for (const nlohmann::json& value : *list) {
      if (value.is_string()) {
        values.push_back(value.get<std::string>());
      }
    }
  }
  return values;
}

AdmissionTuples sentTuples(const std::vector<MeshwardWebhook>& webhooks) {
  AdmissionTuples tuples;
  for (const MeshwardWebhook& webhook : webhooks) {
    const nlohmann::json* rules = member(&webhook.webhook, "rules");
    if (rules == nullptr || !rules->is_array()) {
      continue;
    }
    for (const nlohmann::json& rule : *rules) {
      for (const std::string& group : strings(member(&rule, "apiGroups"))) {
        for (const std::string& resource : strings(member(&rule, "resources"))) {
          for (const std::string& operation : strings(member(&rule, "operations"))) {
            tuples.emplace(group, resource, operation);
          }
        }
      }
    }
  }
  return tuples;
}

std::string describeTuples(const std::vector<AdmissionTuple>& tuples) {
  return joinStrings(tuples, ", ", [](const AdmissionTuple& tuple) {
    const auto& [group, resource, operation] = tuple;
    return operation + " " + (group.empty() ? "" : group + "/") + resource;
  });
}

void checkRules(std::string_view webhook_type, const std::vector<MeshwardWebhook>& webhooks,
                std::vector<DoctorFinding>& findings) {
  if (webhooks.empty()) {
    return;
  }
  const AdmissionTuples sent = sentTuples(webhooks);
  const AdmissionTuples expected = expectedTuples(webhook_type);
  std::vector<AdmissionTuple> missing;
  std::set_difference(expected.begin(), expected.end(), sent.begin(), sent.end(), std::back_inserter(missing));
  std::vector<AdmissionTuple> extra;
  std::set_difference(sent.begin(), sent.end(), expected.begin(), expected.end(), std::back_inserter(extra));
  const std::string subject = "meshward's " + std::string(webhook_type) + " webhooks";
  const std::string fix = "install the webhook configurations of this meshward version (helm upgrade with its chart; "
                          "`meshward rules -o json` lists what its rules read)";
  if (!missing.empty()) {
    findings.push_back({"rules", subject,
                        "the API server does not send " + describeTuples(missing) +
                            ", which meshward's rules judge: those changes go unchecked",
                        fix});
  }
  if (!extra.empty()) {
    findings.push_back({"rules", subject,
                        "the API server sends " + describeTuples(extra) +
                            ", which no rule of this meshward reads: each such request waits on meshward for nothing",
                        fix});
  }
}

// "webhooks.validating.istio.failurePolicy": where the chart sets `field` of this webhook.
std::string chartValue(const MeshwardWebhook& webhook, std::string_view field) {
  const std::string name = stringAt(webhook.webhook, "name");
  return std::string("webhooks.") + (webhook.configuration_kind == kMutating ? "mutating." : "validating.") +
         name.substr(0, name.find('.')) + "." + std::string(field);
}

// The failurePolicy the chart gives a webhook: Fail when it receives Istio configuration only.
std::string intendedFailurePolicy(const MeshwardWebhook& webhook) {
  bool any = false;
  bool istio_only = true;
  for (const auto& [group, resource, operation] : sentTuples({webhook})) {
    any = true;
    istio_only = istio_only && group.ends_with(".istio.io");
  }
  return any && istio_only ? "Fail" : "Ignore";
}

void checkWebhook(const MeshwardWebhook& webhook, std::vector<DoctorFinding>& findings) {
  const std::string subject = webhook.subject();
  const std::string policy = stringAt(webhook.webhook, "failurePolicy", "Fail");
  const std::string intended = intendedFailurePolicy(webhook);
  if (policy != intended) {
    findings.push_back(
        {"failure-policy", subject,
         "failurePolicy is " + policy + ", not " + intended +
             (intended == "Fail" ? ": while meshward cannot answer, Istio configuration changes go through unchecked"
                                 : ": while meshward cannot answer, the API server refuses the workloads, namespaces "
                                   "and Services it sends, meshward's own replacement pods among them"),
         "set failurePolicy: " + intended + " (chart value " + chartValue(webhook, "failurePolicy") +
             "); Ignore everywhere is meant only for a first rollout"});
  }
  const nlohmann::json* timeout = member(&webhook.webhook, "timeoutSeconds");
  const int seconds = timeout != nullptr && timeout->is_number_integer() ? timeout->get<int>() : 10;
  if (seconds > kMostTimeoutSeconds) {
    findings.push_back({"timeout", subject,
                        "timeoutSeconds is " + std::to_string(seconds) + " (" +
                            (timeout == nullptr ? "the API server's default" : "set") +
                            "): a meshward that hangs holds every matching request that long, and kubectl apply "
                            "of many objects times out",
                        "set timeoutSeconds: 3 (chart value webhooks.timeoutSeconds); meshward answers in well "
                        "under a millisecond"});
  }
  const std::string service_namespace = webhook.serviceKey().substr(0, webhook.serviceKey().find('/'));
  const nlohmann::json* selector = member(&webhook.webhook, "namespaceSelector");
  for (const std::string& namespace_name : {service_namespace, std::string("kube-system")}) {
    if (namespace_name.empty()) {
      continue;
    }
    if (labelSelectorMatches(selector, {{std::string(kNamespaceNameLabel), namespace_name}})) {
      findings.push_back(
          {"namespace-selector", subject,
           "its namespaceSelector lets requests from namespace " + namespace_name + " through" +
               (namespace_name == service_namespace
                    ? ", meshward's own: when meshward is down, its replacement pods wait on meshward"
                    : ": the control plane's changes wait on meshward"),
           "exclude it: namespaceSelector.matchExpressions [{key: kubernetes.io/metadata.name, operator: NotIn, "
           "values: [" + service_namespace + ", kube-system, kube-node-lease]}] (the chart always adds this)"});
    }
  }
}

bool isIstioInjector(const nlohmann::json& configuration) {
  const std::string name = stringAt(*member(&configuration, "metadata"), "name");
  return name.starts_with("istio-sidecar-injector") || name.starts_with("istio-revision-tag-");
}

void checkOrder(const std::vector<MeshwardWebhook>& mutating, const nlohmann::json& mutating_list,
                std::vector<DoctorFinding>& findings) {
  const nlohmann::json* items = member(&mutating_list, "items");
  if (items == nullptr || !items->is_array()) {
    return;
  }
  std::set<std::string> ours;
  for (const MeshwardWebhook& webhook : mutating) {
    ours.insert(webhook.configuration);
  }
  for (const std::string& name : ours) {
    for (const nlohmann::json& configuration : *items) {
      if (!isIstioInjector(configuration)) {
        continue;
      }
      const std::string injector = stringAt(*member(&configuration, "metadata"), "name");
      if (!(name < injector)) {
        findings.push_back({"order", std::string(kMutating) + " " + name,
                            "it sorts after Istio's injector " + injector +
                                ", so the API server runs the injector first and meshward's proxy defaults never reach "
                                "the injected sidecar",
                            "rename it to sort before \"istio-\" (chart value webhooks.mutatingConfigurationName, "
                            "default 00-<release>)"});
      }
    }
  }
}

std::optional<std::chrono::system_clock::time_point> notAfter(X509* certificate) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &tm) != 1) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::vector<X509Handle> certificatesIn(std::string_view pem) {
  std::vector<X509Handle> certificates;
  BioHandle bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(certificate);
  }
  takeOpensslErrors();  // the end of the input is reported as an error
  return certificates;
}

std::string formatDay(std::chrono::system_clock::time_point time) {
  return formatRfc3339Millis(time).substr(0, 10);
}

}  // namespace

std::string MeshwardWebhook::subject() const {
  return configuration_kind + " " + configuration + ", webhook " + webhook.value("name", std::string("?"));
}

std::string MeshwardWebhook::serviceKey() const {
  const nlohmann::json* service = member(member(&webhook, "clientConfig"), "service");
  if (service == nullptr || !service->is_object()) {
    return "";
  }
  return stringAt(*service, "namespace") + "/" + stringAt(*service, "name");
}

AdmissionTuples expectedTuples(std::string_view webhook_type) {
  const policies::RuleType type = webhook_type == "mutating" ? policies::RuleType::Mutating : policies::RuleType::Validating;
  AdmissionTuples tuples;
  for (const policies::Rule* rule : policies::allRules()) {
    const policies::RuleMetadata& metadata = rule->metadata();
    if (metadata.type != type) {
      continue;
    }
    for (const cluster::KindInfo& kind : metadata.kinds) {
      for (const std::string_view operation : metadata.operations) {
        tuples.emplace(std::string(kind.group), std::string(kind.resource), std::string(operation));
      }
    }
  }
  return tuples;
}

std::vector<MeshwardWebhook> meshwardWebhooks(std::string_view configuration_kind, const nlohmann::json& list) {
  std::vector<MeshwardWebhook> found;
  const nlohmann::json* items = member(&list, "items");
  if (items == nullptr || !items->is_array()) {
    return found;
  }
  for (const nlohmann::json& configuration : *items) {
    const nlohmann::json* webhooks = member(&configuration, "webhooks");
    if (webhooks == nullptr || !webhooks->is_array()) {
      continue;
    }
    for (const nlohmann::json& webhook : *webhooks) {
      if (stringAt(webhook, "name").ends_with(kWebhookSuffix)) {
        found.push_back({std::string(configuration_kind),
                         stringAt(*objectMember(&configuration, "metadata"), "name"), webhook});
      }
    }
  }
  return found;
}

bool labelSelectorMatches(const nlohmann::json* selector, const std::map<std::string, std::string>& labels) {
  if (selector == nullptr || !selector->is_object()) {
    return true;
  }
  if (const nlohmann::json* match_labels = objectMember(selector, "matchLabels")) {
    for (const auto& [key, value] : match_labels->items()) {
      const auto found = labels.find(key);
      if (found == labels.end() || !value.is_string() || found->second != value.get<std::string>()) {
        return false;
      }
    }
  }
  const nlohmann::json* expressions = member(selector, "matchExpressions");
  if (expressions == nullptr || !expressions->is_array()) {
    return true;
  }
  for (const nlohmann::json& expression : *expressions) {
    const std::string key = stringAt(expression, "key");
    const std::string operation = stringAt(expression, "operator");
    const std::vector<std::string> values = strings(member(&expression, "values"));
    const auto found = labels.find(key);
    const bool present = found != labels.end();
    const bool listed = present && std::find(values.begin(), values.end(), found->second) != values.end();
    const bool holds = operation == "In"             ? listed
                       : operation == "NotIn"        ? !listed
                       : operation == "Exists"       ? present
                       : operation == "DoesNotExist" ? !present
                                                     : false;
    if (!holds) {
      return false;
    }
  }
  return true;
}

std::vector<DoctorFinding> checkConfigurations(const nlohmann::json& validating_list, const nlohmann::json& mutating_list) {
  std::vector<DoctorFinding> findings;
  const std::vector<MeshwardWebhook> validating = meshwardWebhooks(kValidating, validating_list);
  const std::vector<MeshwardWebhook> mutating = meshwardWebhooks(kMutating, mutating_list);
  for (const auto& [webhooks, kind] : {std::pair{&validating, kValidating}, std::pair{&mutating, kMutating}}) {
    if (webhooks->empty()) {
      findings.push_back({"installed", std::string(kind),
                          "no webhook of meshward (*" + std::string(kWebhookSuffix) + ") is installed: nothing is checked",
                          "install the chart: helm upgrade --install meshward charts/meshward -n meshward-system "
                          "--create-namespace"});
    }
    for (const MeshwardWebhook& webhook : *webhooks) {
      checkWebhook(webhook, findings);
    }
  }
  checkRules("validating", validating, findings);
  checkRules("mutating", mutating, findings);
  checkOrder(mutating, mutating_list, findings);
  return findings;
}

std::vector<DoctorFinding> checkService(const std::string& service_key, const std::optional<nlohmann::json>& service,
                                        const std::optional<nlohmann::json>& endpoints) {
  const std::string subject = "Service " + service_key;
  if (!service) {
    return {{"service", subject, "meshward's webhooks call it, and it does not exist: every call fails",
             "install the chart in that namespace, or point clientConfig.service at meshward's Service"}};
  }
  std::size_t ready = 0;
  std::size_t not_ready = 0;
  const nlohmann::json* subsets = endpoints ? member(&*endpoints, "subsets") : nullptr;
  if (subsets != nullptr && subsets->is_array()) {
    for (const nlohmann::json& subset : *subsets) {
      const nlohmann::json* addresses = member(&subset, "addresses");
      const nlohmann::json* pending = member(&subset, "notReadyAddresses");
      ready += addresses != nullptr && addresses->is_array() ? addresses->size() : 0;
      not_ready += pending != nullptr && pending->is_array() ? pending->size() : 0;
    }
  }
  if (ready > 0) {
    return {};
  }
  return {{"endpoints", subject,
           "it has no ready endpoint" + (not_ready > 0 ? " (" + std::to_string(not_ready) + " not ready)" : std::string()) +
               ": every call fails, so Istio changes are refused (failurePolicy Fail) and workloads go unchecked",
           "kubectl -n " + service_key.substr(0, service_key.find('/')) +
               " get pods -l app.kubernetes.io/name=meshward; look at the pods' events and logs (readiness is "
               "/readyz: a policy, a key pair and a synced cache)"}};
}

std::vector<DoctorFinding> checkCertificates(const MeshwardWebhook& webhook, const std::optional<std::string>& serving_pem,
                                             std::chrono::system_clock::time_point now, std::chrono::hours warn_within) {
  std::vector<DoctorFinding> findings;
  const std::string subject = webhook.subject();
  const nlohmann::json* client_config = member(&webhook.webhook, "clientConfig");
  const std::string bundle_text = client_config != nullptr ? stringAt(*client_config, "caBundle") : "";
  const std::optional<std::string> bundle = cluster::kube::decodeBase64(bundle_text);
  std::vector<X509Handle> authorities = bundle ? certificatesIn(*bundle) : std::vector<X509Handle>();
  if (authorities.empty()) {
    findings.push_back({"ca-bundle", subject,
                        bundle_text.empty() ? "it has no caBundle: the API server cannot verify meshward's certificate"
                                            : "its caBundle holds no PEM certificate",
                        "certificates.mode certManager: check that cert-manager's CA injector runs; generate / "
                        "existingSecret: helm upgrade fills it in"});
    return findings;
  }
  for (const X509Handle& authority : authorities) {
    const auto expiry = notAfter(authority.get());
    if (expiry && *expiry < now + warn_within) {
      findings.push_back({"ca-expiry", subject,
                          "a CA of its caBundle " + std::string(*expiry < now ? "expired" : "expires") + " on " +
                              formatDay(*expiry),
                          "rotate the CA: give the caBundle the new CA next to the old one, replace the key pair, then "
                          "drop the old CA"});
    }
  }
  if (!serving_pem) {
    return findings;
  }
  std::vector<X509Handle> chain = certificatesIn(*serving_pem);
  if (chain.empty()) {
    findings.push_back({"serving-certificate", subject, "the serving Secret's tls.crt holds no PEM certificate",
                        "replace the Secret with a valid key pair"});
    return findings;
  }
  const std::string service_key = webhook.serviceKey();
  const std::string dns_name = service_key.substr(service_key.find('/') + 1) + "." +
                               service_key.substr(0, service_key.find('/')) + ".svc";
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  for (const X509Handle& authority : authorities) {
    X509_STORE_add_cert(store.get(), authority.get());
  }
  X509StackHandle intermediates(sk_X509_new_null());
  for (std::size_t i = 1; i < chain.size(); ++i) {
    X509_up_ref(chain[i].get());
    sk_X509_push(intermediates.get(), chain[i].get());
  }
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> context(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  X509_STORE_CTX_init(context.get(), store.get(), chain.front().get(), intermediates.get());
  X509_VERIFY_PARAM* parameters = X509_STORE_CTX_get0_param(context.get());
  X509_VERIFY_PARAM_set_time(parameters, std::chrono::system_clock::to_time_t(now));
  X509_VERIFY_PARAM_set1_host(parameters, dns_name.c_str(), dns_name.size());
  if (X509_verify_cert(context.get()) != 1) {
    findings.push_back(
        {"ca-bundle", subject,
         "its caBundle does not verify the serving certificate for " + dns_name + ": " +
             X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get())) +
             "; the API server refuses the TLS handshake and every call fails",
         "put the CA that signed the serving certificate in the caBundle (certificates.existingSecret.caBundle), or "
         "issue the certificate for " + dns_name});
  }
  takeOpensslErrors();
  const auto expiry = notAfter(chain.front().get());
  if (expiry && *expiry < now + warn_within) {
    findings.push_back({"certificate-expiry", subject,
                        "the serving certificate " + std::string(*expiry < now ? "expired" : "expires") + " on " +
                            formatDay(*expiry),
                        "renew it (cert-manager renews by itself; existingSecret: replace the Secret; generate: delete "
                        "the Secret <release>-tls and helm upgrade): meshward reloads it without a restart"});
  }
  return findings;
}

}  // namespace meshward::cli
