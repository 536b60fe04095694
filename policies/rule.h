#pragma once
// A rule is one judgement about one kind of change, with two faces (as in Istio's analyzers):
// metadata() declares what it is and what it needs, evaluate() looks at one admission request
// and reports findings and/or patches. A rule knows nothing about HTTP, files or the Kubernetes
// client, and never decides what the machine watches, keeps or indexes: it declares its inputs,
// reads and indexes, and the machine derives the cache, the trimming, RBAC and the webhook
// rules from them (webhook/admission/cluster_requirements.h).

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policies/action.h"
#include "policies/field_reads.h"
#include "policies/finding.h"
#include "policies/meshes/mesh.h"
#include "policies/messages.h"
#include "policies/request_facts.h"
#include "policies/request_memo.h"
#include "policies/rule_settings.h"
#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/index.h"
#include "webhook/cluster/kinds.h"
#include "webhook/cluster/manifest_loader.h"
#include "webhook/common/result.h"

namespace meshward::policies {

enum class RuleType { Validating, Mutating };

// A kind of cluster state the rule reads. Without a required input the rule cannot judge: the
// engine then reports the gap (MW0003) instead of running it. An optional input improves the
// judgement when present (a namespace's injection labels) and is not reported when absent.
struct RuleInput {
  cluster::KindInfo kind;
  bool required = true;
};

struct RuleMetadata {
  std::string_view id;
  RuleType type;
  std::vector<cluster::KindInfo> kinds;      // what the webhook sends it
  std::vector<std::string_view> operations;  // CREATE, UPDATE, DELETE, CONNECT
  Action default_action;
  std::string_view description;  // one line
  std::vector<MessageCode> codes;
  std::vector<ParamSpec> parameters;
  std::vector<RuleInput> inputs;
  std::vector<FieldReads> reads;
  std::vector<const cluster::IndexSpec*> indexes;
  std::vector<Mesh> meshes;  // the meshes it concerns; empty for none in particular

  bool appliesTo(std::string_view group, std::string_view kind, std::string_view operation) const;
};

// Mesh-wide settings from the policy file that several rules read.
struct MeshSettings {
  std::string root_namespace = "istio-system";
  // Namespaces the policy ignores: requests in them are not evaluated, and rules that look
  // across the cluster (which pods a mesh-wide policy reaches) leave them out too.
  std::vector<std::string> ignored_namespaces = {"kube-system", "kube-public", "kube-node-lease"};

  bool isIgnoredNamespace(std::string_view namespace_name) const;
};

// Collects what one rule says about one request.
class Report {
 public:
  Report(std::string_view rule_id, Action rule_action) : rule_id_(rule_id), rule_action_(rule_action) {}

  // A finding with the rule's configured action.
  void finding(const MessageCode& code, std::string message) { finding(code, std::move(message), rule_action_); }
  // A finding with an explicit action (a secondary finding with its own policy setting).
  void finding(const MessageCode& code, std::string message, Action action);
  void patch(std::string op, std::string path, nlohmann::json value);

  // The rule needed its required inputs for this request and the state could not give them; the
  // engine reports the gap (MW0003) in its one wording.
  void inputsMissing() { inputs_missing_ = true; }
  bool missedInputs() const { return inputs_missing_; }

  std::vector<Finding>& findings() { return findings_; }
  std::vector<PatchOperation>& patches() { return patches_; }

 private:
  std::string rule_id_;
  Action rule_action_;
  std::vector<Finding> findings_;
  std::vector<PatchOperation> patches_;
  bool inputs_missing_ = false;
};

struct RuleContext {
  const RequestFacts& request;
  const nlohmann::json& object;      // null on DELETE
  const nlohmann::json& old_object;  // null on CREATE
  const cluster::ClusterState& cluster;
  const RuleSettings& settings;
  const MeshSettings& mesh;
  // Why the cluster state cannot answer for the rule's required inputs, worked out by the engine
  // from metadata().inputs; null when it can.
  const std::string* input_gap = nullptr;
  // Shared by the rules of one request (see request_memo.h); null: each rule derives alone.
  RequestMemo* memo = nullptr;

  // The typed configuration the rule's configure() built from `settings` when the policy loaded.
  // Whether the required inputs can be read; when not, tells `report` so and the rule returns
  // without judging. Called where the rule first needs the cluster, so requests it can judge
  // without it (nothing removed, nothing made STRICT) are not reported.
  bool inputsAvailable(Report& report) const {
    if (input_gap == nullptr) {
      return true;
    }
    report.inputsMissing();
    return false;
  }

  template <typename Config>
  const Config& config() const {
    return static_cast<const Config&>(*settings.config);
  }
};

// Changes applied together (`meshward check` of a folder, one Argo CD sync): the objects in
// order, and the cluster before and after them.
struct ChangeSet {
  const std::vector<cluster::Manifest>& objects;
  const cluster::ClusterState& before;
  const cluster::ClusterState& after;
};

struct SetContext {
  const ChangeSet& set;
  const RuleSettings& settings;
  const MeshSettings& mesh;
};

struct SetFinding {
  std::size_t object = 0;  // index into ChangeSet::objects
  Finding finding;
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleMetadata& metadata() const = 0;
  // Builds the typed configuration evaluate() reads (RuleContext::config) from settings the
  // policy loader has already checked against the declared parameters; runs once per policy
  // load, never per request. An error fails the load, naming the parameter. The default: none.
  virtual Result<std::shared_ptr<const RuleConfig>> configure(const RuleSettings& settings) const;
  virtual void evaluate(const RuleContext& context, Report& report) const = 0;
  // The rule's second face, for a set of changes applied together: findings about the set's
  // objects that stand in for evaluate() on each of them (an order problem shows only in the
  // set). nullopt, the default: the rule has no such face, and each object is judged alone.
  virtual std::optional<std::vector<SetFinding>> evaluateSet(const SetContext& context) const;
};

}  // namespace meshward::policies
