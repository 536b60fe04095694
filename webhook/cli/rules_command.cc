#include "webhook/cli/rules_command.h"

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "policies/meshes/mesh_profile.h"
#include "policies/registry.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/cli/arguments.h"
#include "webhook/cli/commands.h"
#include "webhook/common/join.h"

namespace meshward::cli {
namespace {

constexpr const char* kRulesHelp = R"(Usage: meshward rules [-o text|json]

Lists every rule meshward knows: its id, whether it validates or mutates, the kinds and
operations it reads, the codes it reports, its default action, its policy parameters, the
meshes it concerns and the cluster kinds it reads.

  -o, --output F   text (default) or json: {"rules": [...], "clusterState": {"kinds": [...],
                   "rbac": [...]}}: what the live cache follows and keeps for these rules, and
                   the ClusterRole rules that let it (the chart's rbac.yaml must equal them)
)";

const std::vector<FlagSpec> kRulesFlags = {
    {"-o", true, "--output"},
    {"--help", false, "-h"},
};

std::string_view ruleTypeName(policies::RuleType type) {
  return type == policies::RuleType::Validating ? "validating" : "mutating";
}

std::string_view paramTypeName(policies::ParamType type) {
  switch (type) {
    case policies::ParamType::Action:
      return "action";
    case policies::ParamType::Quantity:
      return "quantity";
    case policies::ParamType::Duration:
      return "duration";
    case policies::ParamType::Integer:
      return "integer";
    case policies::ParamType::Bool:
      return "bool";
    case policies::ParamType::String:
      return "string";
    case policies::ParamType::StringList:
      return "stringList";
  }
  return "string";
}

nlohmann::ordered_json ruleJson(const policies::RuleMetadata& metadata) {
  nlohmann::ordered_json kinds = nlohmann::ordered_json::array();
  for (const cluster::KindInfo& kind : metadata.kinds) {
    kinds.push_back({{"apiGroup", kind.group},
                     {"apiVersions", nlohmann::ordered_json::array({"*"})},
                     {"kind", kind.kind},
                     {"resource", kind.resource}});
  }
  nlohmann::ordered_json codes = nlohmann::ordered_json::array();
  for (const policies::MessageCode& code : metadata.codes) {
    codes.push_back({{"code", code.code}, {"name", code.name}, {"title", code.title}});
  }
  nlohmann::ordered_json parameters = nlohmann::ordered_json::array();
  for (const policies::ParamSpec& parameter : metadata.parameters) {
    nlohmann::ordered_json entry = {{"name", parameter.name},
                                    {"type", paramTypeName(parameter.type)},
                                    {"default", parameter.default_value},
                                    {"description", parameter.description}};
    if (parameter.type == policies::ParamType::Integer) {
      entry["minimum"] = parameter.minimum;
      entry["maximum"] = parameter.maximum;
    }
    parameters.push_back(std::move(entry));
  }
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (const policies::RuleInput& input : metadata.inputs) {
    inputs.push_back({{"apiGroup", input.kind.group},
                      {"kind", input.kind.kind},
                      {"resource", input.kind.resource},
                      {"required", input.required}});
  }
  nlohmann::ordered_json meshes = nlohmann::ordered_json::array();
  for (const policies::Mesh mesh : metadata.meshes) {
    meshes.push_back(policies::meshProfile(mesh).name);
  }
  nlohmann::ordered_json operations = nlohmann::ordered_json::array();
  for (std::string_view operation : metadata.operations) {
    operations.push_back(operation);
  }
  return {
      {"id", metadata.id},
      {"type", ruleTypeName(metadata.type)},
      {"description", metadata.description},
      {"defaultAction", policies::actionName(metadata.default_action)},
      {"operations", std::move(operations)},
      {"kinds", std::move(kinds)},
      {"codes", std::move(codes)},
      {"parameters", std::move(parameters)},
      {"meshes", std::move(meshes)},
      {"inputs", std::move(inputs)},
  };
}

// What the live cache follows for the registered rules, and the RBAC that lets it: get, list
// and watch on exactly those kinds, one entry per API group in group order.
nlohmann::ordered_json clusterStateJson() {
  const cluster::ClusterRequirements& requirements =
      admission::registeredRequirements(cluster::ObjectSource::Live);
  nlohmann::ordered_json kinds = nlohmann::ordered_json::array();
  std::map<std::string, std::set<std::string>> resources_by_group;
  for (const cluster::KindRequirement& requirement : requirements.kinds) {
    nlohmann::ordered_json indexes = nlohmann::ordered_json::array();
    for (const cluster::IndexSpec* index : requirement.indexes) {
      indexes.push_back(index->name());
    }
    kinds.push_back({{"apiGroup", requirement.kind.group},
                     {"kind", requirement.kind.kind},
                     {"resource", requirement.kind.resource},
                     {"label", requirement.name()},
                     {"fields", requirement.fields.pointers()},
                     {"indexes", std::move(indexes)}});
    resources_by_group[std::string(requirement.kind.group)].insert(std::string(requirement.kind.resource));
  }
  nlohmann::ordered_json rbac = nlohmann::ordered_json::array();
  for (const auto& [group, resources] : resources_by_group) {
    rbac.push_back({{"apiGroups", {group}},
                    {"resources", std::vector<std::string>(resources.begin(), resources.end())},
                    {"verbs", {"get", "list", "watch"}}});
  }
  return {{"kinds", std::move(kinds)}, {"rbac", std::move(rbac)}};
}

std::string joined(const nlohmann::ordered_json& strings) {
  return joinStrings(strings, ", ", [](const nlohmann::ordered_json& item) { return item.get<std::string>(); });
}

void printRuleText(const nlohmann::ordered_json& rule, std::ostream& out) {
  out << rule["id"].get<std::string>() << " (" << rule["type"].get<std::string>() << ", default "
      << rule["defaultAction"].get<std::string>() << ")\n";
  out << "  " << rule["description"].get<std::string>() << "\n";
  out << "  kinds: " << joinStrings(rule["kinds"], ", ", [](const nlohmann::ordered_json& kind) {
    const std::string group = kind["apiGroup"].get<std::string>();
    return kind["kind"].get<std::string>() + " (" + kind["resource"].get<std::string>() +
           (group.empty() ? "" : "." + group) + ")";
  }) << "\n";
  out << "  operations: " << joined(rule["operations"]) << "\n";
  if (!rule["meshes"].empty()) {
    out << "  meshes: " << joined(rule["meshes"]) << "\n";
  }
  const std::string inputs = joinStrings(rule["inputs"], ", ", [](const nlohmann::ordered_json& input) {
    return input["kind"].get<std::string>() + (input["required"].get<bool>() ? "" : " (optional)");
  });
  if (!inputs.empty()) {
    out << "  reads from the cluster: " << inputs << "\n";
  }
  for (const nlohmann::ordered_json& code : rule["codes"]) {
    out << "  " << code["code"].get<std::string>() << " " << code["name"].get<std::string>() << ": "
        << code["title"].get<std::string>() << "\n";
  }
  for (const nlohmann::ordered_json& parameter : rule["parameters"]) {
    out << "  " << parameter["name"].get<std::string>() << " (" << parameter["type"].get<std::string>()
        << ", default \"" << parameter["default"].get<std::string>()
        << "\"): " << parameter["description"].get<std::string>() << "\n";
  }
}

int usageError(std::ostream& err, const std::string& message) {
  err << "meshward rules: " << message << "\n\n" << kRulesHelp;
  return 2;
}

}  // namespace

nlohmann::ordered_json rulesJson() {
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const policies::Rule* rule : policies::allRules()) {
    rules.push_back(ruleJson(rule->metadata()));
  }
  return {{"rules", std::move(rules)}, {"clusterState", clusterStateJson()}};
}

int runRulesCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const Result<ParsedArguments> arguments = parseArguments(args, kRulesFlags);
  if (!arguments) {
    return usageError(err, arguments.error());
  }
  if (arguments->has("--help")) {
    out << kRulesHelp;
    return 0;
  }
  if (!arguments->positional().empty()) {
    return usageError(err, "unexpected argument " + arguments->positional()[0]);
  }
  const std::string output = arguments->valueOr("-o", "text");
  if (output != "text" && output != "json") {
    return usageError(err, "-o must be text or json, not \"" + output + "\"");
  }
  const nlohmann::ordered_json rules = rulesJson();
  if (output == "json") {
    out << rules.dump(2) << "\n";
    return 0;
  }
  for (const nlohmann::ordered_json& rule : rules["rules"]) {
    printRuleText(rule, out);
    out << "\n";
  }
  return 0;
}

int runRules(const std::vector<std::string>& args) { return runRulesCommand(args, std::cout, std::cerr); }

}  // namespace meshward::cli
