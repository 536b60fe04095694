#pragma once
// The policy: which rules run with which action and parameters, mesh settings, namespaces
// never checked, and who may break glass. Loaded strictly from YAML (policies/default.yaml is
// the built-in copy): unknown keys, unknown rule ids and bad values are errors with file:line.

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "policies/rule.h"
#include "policies/rule_settings.h"
#include "webhook/common/result.h"

namespace meshward::policies {

struct BreakGlassSettings {
  bool enabled = true;
  std::vector<std::string> allowed_users;
  std::vector<std::string> allowed_groups = {"system:masters"};
  // The longest a bypass holds: an expiry further away, or a label older than this, is refused.
  std::chrono::milliseconds max_duration = std::chrono::hours(24);
};

struct Policy {
  MeshSettings mesh;
  BreakGlassSettings break_glass;
  std::map<std::string, RuleSettings, std::less<>> rules;  // an entry for every registered rule
  std::string source;  // file path or "built-in"
  std::string hash;    // "sha256:" + first 16 hex digits of the file's bytes

  bool isIgnoredNamespace(std::string_view namespace_name) const;
  const RuleSettings& settingsFor(std::string_view rule_id) const;
};

// Parses and validates a policy. `source_name` is used in error messages ("policy.yaml:12:3: ...").
Result<Policy> parsePolicy(std::string_view yaml_text, std::string_view source_name);

// Reads and parses a policy file.
Result<Policy> loadPolicyFile(const std::string& path);

// The policy compiled into the binary (policies/default.yaml).
std::string_view builtInDefaultPolicy();
Result<Policy> loadBuiltInPolicy();

// A rule's declared defaults, configured (configure() run), for tests and for rules the file does
// not mention. Throws std::logic_error when the defaults do not configure (a programming error
// every rule's tests catch).
RuleSettings defaultSettings(const Rule& rule);
// The declared defaults before configure(), for tests of configure() itself.
RuleSettings declaredSettings(const RuleMetadata& metadata);

}  // namespace meshward::policies
