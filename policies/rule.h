#pragma once
// A rule is one judgement about one kind of change, with two faces (as in Istio's analyzers):
// metadata() says what it is, which kinds and operations it reads, its default action and
// parameters; evaluate() looks at one admission request and reports findings and/or patches.
// A rule knows nothing about HTTP, files or the Kubernetes client.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policies/action.h"
#include "policies/finding.h"
#include "policies/messages.h"
#include "policies/rule_settings.h"
#include "webhook/cluster/cluster_state.h"

namespace meshward::policies {

enum class RuleType { Validating, Mutating };

struct GroupKind {
  std::string_view group;     // "" for the core group
  std::string_view kind;      // "Pod"
  std::string_view resource;  // "pods": what a webhook configuration names
};

struct RuleMetadata {
  std::string_view id;
  RuleType type;
  std::vector<GroupKind> kinds;
  std::vector<std::string_view> operations;  // CREATE, UPDATE, DELETE, CONNECT
  Action default_action;
  std::string_view description;  // one line
  std::vector<MessageCode> codes;
  std::vector<ParamSpec> parameters;

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

// The facts of the request a rule may use; never the raw HTTP request.
struct RequestFacts {
  std::string operation;  // CREATE | UPDATE | DELETE | CONNECT
  std::string group;
  std::string version;
  std::string kind;
  std::string namespace_name;
  std::string name;
  std::string user;
  std::vector<std::string> groups;
  bool dry_run = false;
};

struct RuleContext {
  const RequestFacts& request;
  const nlohmann::json& object;      // null on DELETE
  const nlohmann::json& old_object;  // null on CREATE
  const cluster::ClusterState& cluster;
  const RuleSettings& settings;
  const MeshSettings& mesh;
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

  std::vector<Finding>& findings() { return findings_; }
  std::vector<PatchOperation>& patches() { return patches_; }

 private:
  std::string rule_id_;
  Action rule_action_;
  std::vector<Finding> findings_;
  std::vector<PatchOperation> patches_;
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleMetadata& metadata() const = 0;
  virtual void evaluate(const RuleContext& context, Report& report) const = 0;
};

}  // namespace meshward::policies
