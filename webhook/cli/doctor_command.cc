#include "webhook/cli/doctor_command.h"

#include <chrono>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "webhook/cli/arguments.h"
#include "webhook/cli/commands.h"
#include "webhook/cli/doctor_checks.h"
#include "webhook/cluster/kube/api_client.h"
#include "webhook/cluster/kube/base64_decode.h"
#include "webhook/cluster/kube/in_cluster_config.h"
#include "webhook/cluster/kube/kubeconfig.h"
#include "webhook/cluster/kube/stop_signal.h"
#include "webhook/common/json_fields.h"

namespace meshward::cli {
namespace {

constexpr int kExitHealthy = 0;
constexpr int kExitProblems = 1;
constexpr int kExitError = 2;
constexpr std::chrono::seconds kRequestTimeout{15};

constexpr const char* kDoctorHelp = R"(Usage: meshward doctor [--kubeconfig FILE [--context NAME]] [--tls-secret NAME] [-o text|json]

Reads meshward's webhook configurations from the cluster (every webhook named *.meshward.dev) and
reports, with a fix for each, what would make them fail or leave changes unchecked:
  installed            no validating or no mutating webhook of meshward
  failure-policy       not Fail for the Istio webhook, not Ignore for the others
  timeout              timeoutSeconds above 3
  namespace-selector   meshward's own namespace or kube-system not excluded
  rules                resources the rules read but are not sent, or sent but read by no rule
  order                the mutating configuration sorting after Istio's injector
  service, endpoints   the Service a webhook calls missing, or without a ready endpoint
  ca-bundle            a caBundle that does not verify the serving certificate (for SERVICE.NAMESPACE.svc)
  ca-expiry, certificate-expiry   a CA or the serving certificate expiring within 14 days

  --kubeconfig FILE   the cluster of this kubeconfig's current context (default: the in-cluster
                      service account)
  --context NAME      another context of the kubeconfig
  --tls-secret NAME   the Secret with the serving certificate, in the Service's namespace
                      (default: SERVICE-tls, the chart's name); unreadable means not checked
  -o, --output F      text (default) or json: {"problems": [{"check", "subject", "problem", "fix"}], "notes": [...]}

It needs get/list on validating- and mutatingwebhookconfigurations, get on the Service, its
Endpoints and the Secret. Exit status: 0 when nothing is wrong, 1 when something is, 2 on a usage
error or when the API server cannot be read.
)";

const std::vector<FlagSpec> kDoctorFlags = {
    {"--kubeconfig", true, ""},
    {"--context", true, ""},
    {"--tls-secret", true, ""},
    {"-o", true, "--output"},
    {"--help", false, "-h"},
};

class Reader {
 public:
  explicit Reader(const cluster::kube::ApiClient& client) : client_(client) {}

  // The object at `path`; nullopt when the API server says 404 (or 403: `unreadable` says why).
  Result<std::optional<nlohmann::json>> get(const std::string& path, std::string* unreadable = nullptr) const {
    const Result<cluster::kube::ApiResponse> response = client_.get(path, kRequestTimeout);
    if (!response) {
      return Error{response.error()};
    }
    if (response->status == 404 || (response->status == 403 && unreadable != nullptr)) {
      if (unreadable != nullptr) {
        *unreadable = response->status == 404 ? "not found" : "forbidden (RBAC)";
      }
      return std::optional<nlohmann::json>();
    }
    if (!response->ok()) {
      return Error{"GET " + path + ": HTTP " + std::to_string(response->status) + ": " + response->body.substr(0, 300)};
    }
    try {
      return std::optional<nlohmann::json>(nlohmann::json::parse(response->body));
    } catch (const nlohmann::json::exception& error) {
      return Error{"GET " + path + ": not JSON: " + error.what()};
    }
  }

 private:
  const cluster::kube::ApiClient& client_;
};

Result<cluster::kube::ConnectionConfig> connectionFrom(const ParsedArguments& arguments) {
  if (const std::optional<std::string> kubeconfig = arguments.value("--kubeconfig")) {
    return cluster::kube::loadKubeconfig(*kubeconfig, arguments.valueOr("--context", ""));
  }
  if (arguments.has("--context")) {
    return Error{"--context needs --kubeconfig"};
  }
  auto in_cluster = cluster::kube::loadInClusterConfig(cluster::kube::inClusterEnvironment());
  if (!in_cluster) {
    return Error{in_cluster.error()};
  }
  if (!*in_cluster) {
    return Error{"no cluster: give --kubeconfig FILE, or run inside a cluster"};
  }
  return **in_cluster;
}

struct Report {
  std::vector<DoctorFinding> problems;
  std::vector<std::string> notes;
  std::size_t webhooks = 0;
  std::set<std::string> services;
};

void print(const Report& report, const std::string& server, const std::string& output, std::ostream& out) {
  if (output == "json") {
    nlohmann::ordered_json problems = nlohmann::ordered_json::array();
    for (const DoctorFinding& finding : report.problems) {
      problems.push_back(
          {{"check", finding.check}, {"subject", finding.subject}, {"problem", finding.problem}, {"fix", finding.fix}});
    }
    out << nlohmann::ordered_json{{"server", server},
                                  {"webhooks", report.webhooks},
                                  {"services", report.services},
                                  {"problems", problems},
                                  {"notes", report.notes}}
               .dump(2)
        << "\n";
    return;
  }
  for (const DoctorFinding& finding : report.problems) {
    out << "FAIL [" << finding.check << "] " << finding.subject << ": " << finding.problem << "\n"
        << "     fix: " << finding.fix << "\n";
  }
  for (const std::string& note : report.notes) {
    out << "note: " << note << "\n";
  }
  out << "meshward doctor: " << report.webhooks << (report.webhooks == 1 ? " webhook" : " webhooks") << " of meshward at "
      << server << ", " << report.problems.size() << (report.problems.size() == 1 ? " problem" : " problems") << "\n";
}

}  // namespace

int runDoctorCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const Result<ParsedArguments> arguments = parseArguments(args, kDoctorFlags);
  if (!arguments) {
    err << "meshward doctor: " << arguments.error() << "\n\n" << kDoctorHelp;
    return kExitError;
  }
  if (arguments->has("--help")) {
    out << kDoctorHelp;
    return kExitHealthy;
  }
  const std::string output = arguments->valueOr("-o", "text");
  if ((output != "text" && output != "json") || !arguments->positional().empty()) {
    err << "meshward doctor: " << (output != "text" && output != "json" ? "-o must be text or json" : "no PATH is taken")
        << "\n\n"
        << kDoctorHelp;
    return kExitError;
  }
  const Result<cluster::kube::ConnectionConfig> connection = connectionFrom(*arguments);
  if (!connection) {
    err << "meshward doctor: " << connection.error() << "\n";
    return kExitError;
  }
  const cluster::kube::StopSignal stop;
  const Result<std::unique_ptr<cluster::kube::ApiClient>> client = cluster::kube::ApiClient::create(*connection, stop);
  if (!client) {
    err << "meshward doctor: " << client.error() << "\n";
    return kExitError;
  }
  const Reader reader(**client);
  const std::string admission = "/apis/admissionregistration.k8s.io/v1/";
  const auto validating = reader.get(admission + "validatingwebhookconfigurations");
  const auto mutating = validating ? reader.get(admission + "mutatingwebhookconfigurations") : validating;
  if (!validating || !mutating || !*validating || !*mutating) {
    err << "meshward doctor: cannot read the webhook configurations of " << (*client)->serverUrl() << ": "
        << (!validating ? validating.error() : !mutating ? mutating.error() : "the API server has none (404)") << "\n";
    return kExitError;
  }

  Report report;
  report.problems = checkConfigurations(**validating, **mutating);
  std::vector<MeshwardWebhook> webhooks = meshwardWebhooks("ValidatingWebhookConfiguration", **validating);
  for (MeshwardWebhook& webhook : meshwardWebhooks("MutatingWebhookConfiguration", **mutating)) {
    webhooks.push_back(std::move(webhook));
  }
  report.webhooks = webhooks.size();
  std::map<std::string, std::optional<std::string>> serving_certificates;  // by service key
  for (const MeshwardWebhook& webhook : webhooks) {
    const std::string key = webhook.serviceKey();
    if (key.empty()) {
      report.notes.push_back(webhook.subject() + " calls a URL, not a Service: its endpoints and certificate are not checked");
      continue;
    }
    const std::string namespace_name = key.substr(0, key.find('/'));
    const std::string name = key.substr(key.find('/') + 1);
    if (report.services.insert(key).second) {
      const auto service = reader.get("/api/v1/namespaces/" + namespace_name + "/services/" + name);
      const auto endpoints = service ? reader.get("/api/v1/namespaces/" + namespace_name + "/endpoints/" + name) : service;
      if (!service || !endpoints) {
        err << "meshward doctor: " << (!service ? service.error() : endpoints.error()) << "\n";
        return kExitError;
      }
      for (DoctorFinding& finding : checkService(key, *service, *endpoints)) {
        report.problems.push_back(std::move(finding));
      }
      const std::string secret_name = arguments->valueOr("--tls-secret", name + "-tls");
      std::string unreadable;
      const auto secret = reader.get("/api/v1/namespaces/" + namespace_name + "/secrets/" + secret_name, &unreadable);
      if (!secret) {
        err << "meshward doctor: " << secret.error() << "\n";
        return kExitError;
      }
      std::optional<std::string> pem;
      if (*secret) {
        pem = cluster::kube::decodeBase64(stringMember(objectMember(&**secret, "data"), "tls.crt").value_or(""));
      }
      if (!pem) {
        report.notes.push_back("the serving certificate of " + key + " is not checked against the caBundle: Secret " +
                               namespace_name + "/" + secret_name + " is " +
                               (unreadable.empty() ? "without a base64 tls.crt" : unreadable) + " (--tls-secret NAME)");
      }
      serving_certificates[key] = pem;
    }
    for (DoctorFinding& finding :
         checkCertificates(webhook, serving_certificates[key], std::chrono::system_clock::now())) {
      report.problems.push_back(std::move(finding));
    }
  }
  print(report, (*client)->serverUrl(), output, out);
  return report.problems.empty() ? kExitHealthy : kExitProblems;
}

int runDoctor(const std::vector<std::string>& args) { return runDoctorCommand(args, std::cout, std::cerr); }

}  // namespace meshward::cli
