#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "webhook/common/duration.h"
#include "webhook/common/quantity.h"
#include "policies/policy.h"
#include "policies/registry.h"
#include "webhook/common/join.h"
#include "webhook/common/utf8.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kPolicyApiVersion = "meshward.dev/v1alpha1";
constexpr std::string_view kPolicyKind = "Policy";

// Thrown inside the loader only, turned into an Error at its boundary.
struct LoadError {
  std::string message;
};

class Loader {
 public:
  explicit Loader(std::string_view source) : source_(source) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
    const YAML::Mark mark = node.Mark();
    if (mark.line >= 0) {
      throw LoadError{source_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) +
                      ": " + message};
    }
    throw LoadError{source_ + ": " + message};
  }

  std::string scalar(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar()) {
      fail(node, std::string(what) + " must be a string");
    }
    return node.Scalar();
  }

  bool boolean(const YAML::Node& node, std::string_view what) const {
    const std::string text = scalar(node, what);
    if (text == "true" || text == "True" || text == "TRUE") {
      return true;
    }
    if (text == "false" || text == "False" || text == "FALSE") {
      return false;
    }
    fail(node, std::string(what) + " must be true or false, not '" + text + "'");
  }

  std::vector<std::string> stringList(const YAML::Node& node, std::string_view what) const {
    if (node.IsNull()) {
      return {};
    }
    if (!node.IsSequence()) {
      fail(node, std::string(what) + " must be a list of strings");
    }
    std::vector<std::string> values;
    for (const YAML::Node& item : node) {
      values.push_back(scalar(item, std::string(what) + " entries"));
      if (values.back().empty()) {
        fail(item, std::string(what) + " entries must not be empty");
      }
    }
    return values;
  }

  void requireMap(const YAML::Node& node, std::string_view what) const {
    if (!node.IsMap()) {
      fail(node, std::string(what) + " must be a mapping");
    }
    std::set<std::string> seen;
    for (const auto& entry : node) {
      if (entry.first.IsScalar() && !seen.insert(entry.first.Scalar()).second) {
        fail(entry.first, "duplicate key '" + entry.first.Scalar() + "' in " + std::string(what));
      }
    }
  }

  ParamValue param(const ParamSpec& spec, const YAML::Node& node, std::string_view rule_id) const {
    const std::string what = "rules." + std::string(rule_id) + "." + std::string(spec.name);
    switch (spec.type) {
      case ParamType::Action: {
        const std::string text = scalar(node, what);
        const auto action = parseAction(text);
        if (!action || *action == Action::Mutate) {
          fail(node, what + " must be one of deny, warn, audit, off; got '" + text + "'");
        }
        return *action;
      }
      case ParamType::Quantity: {
        const std::string text = node.IsNull() ? std::string() : scalar(node, what);
        if (text.empty()) {
          return OptionalBytes();
        }
        const auto bytes = parseQuantityBytes(text);
        if (!bytes) {
          fail(node, what + " must be a Kubernetes quantity such as 256Mi; got '" + text + "'");
        }
        return OptionalBytes(*bytes);
      }
      case ParamType::Integer: {
        const std::string text = scalar(node, what);
        std::int64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        // A quoted scalar is a string, not a number (yaml-cpp tags it "!").
        if (node.Tag() == "!" || text.empty() || error != std::errc() || end != text.data() + text.size()) {
          fail(node, what + " must be a whole number (unquoted); got '" + text + "'");
        }
        if (value < spec.minimum || value > spec.maximum) {
          fail(node, what + " must be between " + std::to_string(spec.minimum) + " and " +
                         std::to_string(spec.maximum) + "; got " + text);
        }
        return value;
      }
      case ParamType::Duration: {
        const std::string text = scalar(node, what);
        if (!parseDurationMillis(text)) {
          fail(node, what + " must be a duration such as 30s or 1m30s; got '" + text + "'");
        }
        return text;
      }
      case ParamType::Bool:
        return boolean(node, what);
      case ParamType::String: {
        std::string text = node.IsNull() ? std::string() : scalar(node, what);
        checkValue(spec, node, what, text);
        return text;
      }
      case ParamType::StringList: {
        std::vector<std::string> values = stringList(node, what);
        std::size_t index = 0;
        for (const YAML::Node& item : node) {
          checkValue(spec, item, what + "[" + std::to_string(index) + "]", values[index]);
          ++index;
        }
        return values;
      }
    }
    fail(node, what + " has an unknown type");
  }

  void checkValue(const ParamSpec& spec, const YAML::Node& node, const std::string& what, std::string_view value) const {
    if (spec.check_value == nullptr) {
      return;
    }
    const std::string problem = spec.check_value(value);
    if (!problem.empty()) {
      fail(node, what + ": " + problem);
    }
  }

  RuleSettings ruleSettings(const Rule& rule, const YAML::Node& node) const {
    const RuleMetadata& metadata = rule.metadata();
    RuleSettings settings = declaredSettings(metadata);
    if (node.IsNull()) {
      configure(rule, settings, node);
      return settings;
    }
    requireMap(node, "rules." + std::string(metadata.id));
    for (const auto& entry : node) {
      const std::string key = scalar(entry.first, "a rule setting name");
      if (key == "action") {
        settings.action = ruleAction(metadata, entry.second);
        continue;
      }
      if (key == "onError") {
        settings.on_error = errorAction(metadata, entry.second);
        continue;
      }
      const auto spec = std::find_if(metadata.parameters.begin(), metadata.parameters.end(),
                                     [&](const ParamSpec& candidate) { return candidate.name == key; });
      if (spec == metadata.parameters.end()) {
        std::string known = "action, onError";
        for (const ParamSpec& candidate : metadata.parameters) {
          known += ", " + std::string(candidate.name);
        }
        fail(entry.first, "unknown setting '" + key + "' for rule " + std::string(metadata.id) + " (known: " + known + ")");
      }
      settings.set(key, param(*spec, entry.second, metadata.id));
    }
    configure(rule, settings, node);
    return settings;
  }

  // Runs the rule's configure() on checked settings; its error fails the load at `node`.
  void configure(const Rule& rule, RuleSettings& settings, const YAML::Node& node) const {
    Result<std::shared_ptr<const RuleConfig>> config = rule.configure(settings);
    if (!config) {
      fail(node, "rules." + std::string(rule.metadata().id) + ": " + config.error());
    }
    settings.config = std::move(*config);
  }

  Action errorAction(const RuleMetadata& metadata, const YAML::Node& node) const {
    const std::string text = scalar(node, "onError");
    const auto action = parseAction(text);
    if (!action || (*action != Action::Deny && *action != Action::Warn && *action != Action::Audit)) {
      fail(node, "rules." + std::string(metadata.id) + ".onError must be one of deny, warn, audit; got '" + text +
                     "' (a failing rule always says so)");
    }
    return *action;
  }

  Action ruleAction(const RuleMetadata& metadata, const YAML::Node& node) const {
    const std::string text = scalar(node, "action");
    const auto action = parseAction(text);
    const bool mutating = metadata.type == RuleType::Mutating;
    const bool valid = action && (mutating ? *action != Action::Deny : *action != Action::Mutate);
    if (!valid) {
      fail(node, "rules." + std::string(metadata.id) + ".action must be one of " +
                     (mutating ? "mutate, warn, audit, off" : "deny, warn, audit, off") + "; got '" + text + "'");
    }
    return *action;
  }

  Policy policy(const YAML::Node& root) const {
    Policy policy;
    for (const Rule* rule : allRules()) {
      policy.rules.emplace(std::string(rule->metadata().id), defaultSettings(*rule));
    }
    if (root.IsNull()) {
      return policy;
    }
    requireMap(root, "the policy");
    for (const auto& entry : root) {
      const std::string key = scalar(entry.first, "a top-level key");
      const YAML::Node& value = entry.second;
      if (key == "apiVersion") {
        if (scalar(value, key) != kPolicyApiVersion) {
          fail(value, "apiVersion must be " + std::string(kPolicyApiVersion));
        }
      } else if (key == "kind") {
        if (scalar(value, key) != kPolicyKind) {
          fail(value, "kind must be " + std::string(kPolicyKind));
        }
      } else if (key == "meshRootNamespace") {
        policy.mesh.root_namespace = scalar(value, key);
        if (policy.mesh.root_namespace.empty()) {
          fail(value, "meshRootNamespace must not be empty");
        }
      } else if (key == "ignoredNamespaces") {
        policy.mesh.ignored_namespaces = stringList(value, key);
      } else if (key == "breakGlass") {
        policy.break_glass = breakGlass(value);
      } else if (key == "rules") {
        rules(value, policy);
      } else {
        fail(entry.first, "unknown key '" + key +
                              "' (known: apiVersion, kind, meshRootNamespace, ignoredNamespaces, breakGlass, rules)");
      }
    }
    return policy;
  }

  BreakGlassSettings breakGlass(const YAML::Node& node) const {
    BreakGlassSettings settings;
    requireMap(node, "breakGlass");
    for (const auto& entry : node) {
      const std::string key = scalar(entry.first, "a breakGlass key");
      if (key == "enabled") {
        settings.enabled = boolean(entry.second, "breakGlass.enabled");
      } else if (key == "allowedUsers") {
        settings.allowed_users = stringList(entry.second, "breakGlass.allowedUsers");
      } else if (key == "allowedGroups") {
        settings.allowed_groups = stringList(entry.second, "breakGlass.allowedGroups");
      } else if (key == "maxDuration") {
        const std::string text = scalar(entry.second, "breakGlass.maxDuration");
        const std::optional<double> millis = parseDurationMillis(text);
        if (!millis || *millis < 60'000 || *millis > 7 * 24 * 3'600'000.0) {
          fail(entry.second, "breakGlass.maxDuration must be a duration from 1m to 168h, such as 24h or 4h30m; got '" +
                                 text + "'");
        } else {
          settings.max_duration = std::chrono::milliseconds(static_cast<std::int64_t>(*millis));
        }
      } else {
        fail(entry.first,
             "unknown key '" + key + "' in breakGlass (known: enabled, allowedUsers, allowedGroups, maxDuration)");
      }
    }
    return settings;
  }

  void rules(const YAML::Node& node, Policy& policy) const {
    if (node.IsNull()) {
      return;
    }
    requireMap(node, "rules");
    for (const auto& entry : node) {
      const std::string id = scalar(entry.first, "a rule id");
      const Rule* rule = findRule(id);
      if (rule == nullptr) {
        const std::string known =
            joinStrings(allRules(), ", ", [](const Rule* candidate) { return candidate->metadata().id; });
        fail(entry.first, "unknown rule '" + id + "' (known: " + known + ")");
      }
      policy.rules[id] = ruleSettings(*rule, entry.second);
    }
  }

 private:
  std::string source_;
};

std::string sha256Prefix(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex = "sha256:";
  for (unsigned int i = 0; i < 8 && i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace

bool Policy::isIgnoredNamespace(std::string_view namespace_name) const { return mesh.isIgnoredNamespace(namespace_name); }

const RuleSettings& Policy::settingsFor(std::string_view rule_id) const {
  auto found = rules.find(rule_id);
  if (found == rules.end()) {
    throw std::out_of_range("policy has no settings for rule '" + std::string(rule_id) + "'");
  }
  return found->second;
}

RuleSettings declaredSettings(const RuleMetadata& metadata) {
  RuleSettings settings;
  settings.action = metadata.default_action;
  const Loader loader("built-in defaults of " + std::string(metadata.id));
  for (const ParamSpec& spec : metadata.parameters) {
    settings.set(std::string(spec.name), loader.param(spec, YAML::Load(std::string(spec.default_value)), metadata.id));
  }
  return settings;
}

RuleSettings defaultSettings(const Rule& rule) {
  RuleSettings settings = declaredSettings(rule.metadata());
  Result<std::shared_ptr<const RuleConfig>> config = rule.configure(settings);
  if (!config) {
    throw std::logic_error("the built-in defaults of rule " + std::string(rule.metadata().id) +
                           " do not configure: " + config.error());
  }
  settings.config = std::move(*config);
  return settings;
}

Result<Policy> parsePolicy(std::string_view yaml_text, std::string_view source_name) {
  if (const std::optional<std::string> bad = describeInvalidUtf8(yaml_text)) {
    return Error{std::string(source_name) + ":" + *bad + ": a policy is UTF-8 text"};
  }
  const Loader loader(source_name);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml_text));
    Policy policy = loader.policy(root);
    policy.source = std::string(source_name);
    policy.hash = sha256Prefix(yaml_text);
    return policy;
  } catch (const LoadError& error) {
    return Error{error.message};
  } catch (const YAML::Exception& error) {
    if (error.mark.line >= 0) {
      return Error{std::string(source_name) + ":" + std::to_string(error.mark.line + 1) + ":" +
                   std::to_string(error.mark.column + 1) + ": " + printableUtf8(error.msg)};
    }
    return Error{std::string(source_name) + ": " + printableUtf8(error.msg)};
  }
}

Result<Policy> loadPolicyFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Error{path + ": cannot read the policy file"};
  }
  std::ostringstream text;
  text << file.rdbuf();
  return parsePolicy(text.str(), path);
}

Result<Policy> loadBuiltInPolicy() { return parsePolicy(builtInDefaultPolicy(), "built-in policies/default.yaml"); }

}  // namespace meshward::policies
