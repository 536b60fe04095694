// An AdmissionReview body as the API server (or anything that reaches the port) sends it, through
// the request handler both webhooks use: decode, the engine with a policy that turns every rule
// on, an offline cluster of namespaces, pods, DestinationRules, Gateways, PeerAuthentications and
// injectors, the response encoding and the audit record. Properties: the answer is a 200 or a 400
// (a 500 is an internal error), its body is JSON, no rule fails, and every 200 wrote exactly one
// audit line that is JSON.

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "policies/policy.h"
#include "test/fuzz/fuzz_targets.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/audit/audit_log.h"
#include "webhook/cluster/offline_cluster_state.h"
#include "webhook/server/admission_handler.h"
#include "webhook/server/metrics_impl.h"
#include "webhook/server/policy_store.h"

namespace meshward::fuzz {
namespace {

// Every rule on, change-governance with owners and a window, so no rule's code is out of reach.
constexpr std::string_view kPolicy = R"(apiVersion: meshward.dev/v1alpha1
kind: Policy
rules:
  change-governance:
    action: deny
    meshWideOwners: [group:platform-team]
    namespaceWideOwners: [user:alice]
    injectionOwners: [group:platform-team]
    envoyFilterOwners: [group:platform-team]
    windows: ["Mon-Fri 09:00-17:00 UTC"]
  service-port-protocol:
    action: deny
  sync-wave-order:
    action: deny
)";

class Harness {
 public:
  Harness() {
    auto policy = policies::parsePolicy(kPolicy, "fuzz policy");
    require(policy.ok(), "the fuzz policy does not load");
    store_ = std::make_unique<server::PolicyStore>(std::make_shared<const policies::Policy>(std::move(*policy)));

    auto cluster = cluster::loadOfflineClusterState(
        {MESHWARD_SOURCE_DIR "/test/fuzz/admission_review_cluster.yaml"},
        admission::registeredRequirements(cluster::ObjectSource::Manifests).indexes);
    require(cluster.ok(), "the fuzz cluster does not load");
    cluster_ = std::move(*cluster);

    char directory[] = "/tmp/meshward-fuzz-audit-XXXXXX";
    require(::mkdtemp(directory) != nullptr, "cannot make a scratch directory");
    audit_path_ = std::string(directory) + "/audit.log";
    auto audit_log = audit::AuditLog::open(
        {.to_stdout = false, .file = audit_path_, .max_file_bytes = 1 << 20, .keep_files = 0}, &metrics_);
    require(audit_log.ok(), "the fuzz audit log does not open");
    audit_log_ = std::move(*audit_log);

    const server::Evaluator engine = server::engineEvaluator();
    handler_ = std::make_unique<server::AdmissionHandler>(
        *store_, *cluster_, audit_log_.get(), metrics_,
        [engine](policies::RuleType webhook, const admission::AdmissionRequest& request,
                 const policies::Policy& current, const cluster::ClusterState& state) {
          admission::Decision decision = engine(webhook, request, current, state);
          for (const admission::RuleError& failure : decision.rule_errors) {
            fail("rule " + failure.rule + " failed: " + failure.what);
          }
          return decision;
        });
  }

  ~Harness() {
    handler_.reset();
    audit_log_.reset();
    ::unlink(audit_path_.c_str());
    ::rmdir(audit_path_.substr(0, audit_path_.rfind('/')).c_str());
  }

  void run(std::string_view body) {
    int answered = 0;
    for (policies::RuleType webhook : {policies::RuleType::Validating, policies::RuleType::Mutating}) {
      const server::HttpReply reply = handler_->handle(webhook, body);
      require(reply.status == 200 || reply.status == 400, "answered " + std::to_string(reply.status) + ": " + reply.body);
      require(nlohmann::json::accept(reply.body), "the answer is not JSON: " + reply.body);
      if (reply.status == 200) {
        const nlohmann::json answer = nlohmann::json::parse(reply.body);
        require(answer.at("response").at("allowed").is_boolean(), "an answer without response.allowed");
        ++answered;
      }
    }
    require(newAuditLines() == answered, "audit lines differ from the answered reviews");
  }

 private:
  // Audit lines written since the last call; each must be JSON.
  int newAuditLines() {
    std::ifstream file(audit_path_, std::ios::binary);
    file.seekg(0, std::ios::end);
    const std::streamoff size = file.tellg();
    if (size < read_) {
      read_ = 0;  // rotated
    }
    file.seekg(read_);
    int lines = 0;
    for (std::string line; std::getline(file, line);) {
      require(nlohmann::json::accept(line), "an audit line is not JSON: " + line);
      ++lines;
    }
    read_ = size;
    return lines;
  }

  std::unique_ptr<server::PolicyStore> store_;
  std::unique_ptr<cluster::ClusterState> cluster_;
  server::MetricsImpl metrics_;
  std::string audit_path_;
  std::unique_ptr<audit::AuditLog> audit_log_;
  std::unique_ptr<server::AdmissionHandler> handler_;
  std::streamoff read_ = 0;
};

}  // namespace

void admissionReview(const std::uint8_t* data, std::size_t size) {
  silenceLogs();
  static Harness harness;
  harness.run(std::string_view(reinterpret_cast<const char*>(data), size));
}

}  // namespace meshward::fuzz
