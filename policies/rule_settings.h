#pragma once
// The declared parameters of a rule and the values the policy file gave them. Rules declare
// their parameters (name, type, default) in their metadata; the policy loader validates the
// file against those declarations, then hands the typed values to the rule's configure(), which
// builds the rule's own typed configuration once per load. evaluate() reads only that.

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "policies/action.h"

namespace meshward::policies {

enum class ParamType {
  Action,      // deny | warn | audit | off: the action of a secondary finding
  Quantity,    // a Kubernetes quantity, stored in bytes (rounded up); empty means "not set"
  Duration,    // a Go/protobuf duration such as 30s or 1m30s, stored as written
  Integer,     // a whole number within [minimum, maximum]
  Bool,
  String,
  StringList,
};

struct ParamSpec {
  std::string_view name;
  ParamType type;
  std::string_view default_value;  // written as it would be in the YAML file
  std::string_view description;
  std::int64_t minimum = 0;  // Integer only
  std::int64_t maximum = std::numeric_limits<std::int64_t>::max();
  // String and StringList: what is wrong with one value ("" when it is fine), so the loader can
  // point at the very entry (file:line) that is wrong.
  std::string (*check_value)(std::string_view value) = nullptr;
};

using OptionalBytes = std::optional<std::int64_t>;
using ParamValue = std::variant<Action, OptionalBytes, std::int64_t, bool, std::string, std::vector<std::string>>;

// What a rule's configure() builds: the rule's own typed view of its parameters.
class RuleConfig {
 public:
  virtual ~RuleConfig() = default;
};

class RuleSettings {
 public:
  Action action = Action::Off;
  // What a finding says when the rule fails on a request (an internal error): deny, warn or
  // audit; warn by default, so a broken rule neither blocks the cluster nor allows silently.
  Action on_error = Action::Warn;
  // Built by the rule's configure() when the policy loads; null for rules without parameters.
  std::shared_ptr<const RuleConfig> config;

  void set(std::string name, ParamValue value) { values_[std::move(name)] = std::move(value); }

  // Typed reads for configure(). Reading an undeclared name or the wrong type is a programming
  // error caught by every rule's tests (configure runs on each rule's defaults in the loader).
  Action actionParam(std::string_view name) const { return std::get<Action>(get(name)); }
  OptionalBytes quantityBytes(std::string_view name) const { return std::get<OptionalBytes>(get(name)); }
  std::int64_t integer(std::string_view name) const { return std::get<std::int64_t>(get(name)); }
  bool flag(std::string_view name) const { return std::get<bool>(get(name)); }
  const std::string& text(std::string_view name) const { return std::get<std::string>(get(name)); }
  const std::vector<std::string>& list(std::string_view name) const {
    return std::get<std::vector<std::string>>(get(name));
  }
  const std::map<std::string, ParamValue, std::less<>>& values() const { return values_; }

 private:
  const ParamValue& get(std::string_view name) const;

  std::map<std::string, ParamValue, std::less<>> values_;
};

}  // namespace meshward::policies
