#pragma once
// The declared parameters of a rule and the values the policy file gave them. Rules declare
// their parameters (name, type, default) in their metadata; the policy loader validates the
// file against those declarations, so a rule only ever reads values that are present and typed.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "policies/action.h"

namespace meshward::policies {

enum class ParamType {
  Action,      // deny | warn | audit | off: the action of a secondary finding
  Quantity,    // a Kubernetes quantity, stored in bytes (rounded up)
  Duration,    // a Go/protobuf duration such as 30s or 1m30s, stored as written
  Bool,
  String,
  StringList,
};

struct ParamSpec {
  std::string_view name;
  ParamType type;
  std::string_view default_value;  // written as it would be in the YAML file
  std::string_view description;
};

using ParamValue = std::variant<Action, std::int64_t, bool, std::string, std::vector<std::string>>;

class RuleSettings {
 public:
  Action action = Action::Off;

  void set(std::string name, ParamValue value) { values_[std::move(name)] = std::move(value); }

  // Accessors for declared parameters. Reading an undeclared name is a programming error
  // and throws std::out_of_range (caught by the engine as an internal error).
  Action actionParam(std::string_view name) const { return std::get<Action>(get(name)); }
  std::int64_t quantityBytes(std::string_view name) const { return std::get<std::int64_t>(get(name)); }
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
