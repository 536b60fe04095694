#include "policies/rule.h"

#include <algorithm>

namespace meshward::policies {

bool RuleMetadata::appliesTo(std::string_view group, std::string_view kind, std::string_view operation) const {
  const bool kind_matches = std::any_of(kinds.begin(), kinds.end(), [&](const cluster::KindInfo& candidate) {
    return candidate.group == group && candidate.kind == kind;
  });
  return kind_matches && std::find(operations.begin(), operations.end(), operation) != operations.end();
}

bool MeshSettings::isIgnoredNamespace(std::string_view namespace_name) const {
  return std::find(ignored_namespaces.begin(), ignored_namespaces.end(), namespace_name) != ignored_namespaces.end();
}

Result<std::shared_ptr<const RuleConfig>> Rule::configure(const RuleSettings&) const {
  return std::shared_ptr<const RuleConfig>();
}

void Report::finding(const MessageCode& code, std::string message, Action action) {
  if (action == Action::Off) {
    return;
  }
  findings_.push_back(Finding{rule_id_, std::string(code.code), action, std::move(message)});
}

void Report::patch(std::string op, std::string path, nlohmann::json value) {
  patches_.push_back(PatchOperation{std::move(op), std::move(path), std::move(value), rule_id_});
}

std::optional<std::vector<SetFinding>> Rule::evaluateSet(const SetContext&) const { return std::nullopt; }

}  // namespace meshward::policies
