#include "policies/rule_settings.h"

#include <stdexcept>

namespace meshward::policies {

const ParamValue& RuleSettings::get(std::string_view name) const {
  auto found = values_.find(name);
  if (found == values_.end()) {
    throw std::out_of_range("rule parameter '" + std::string(name) + "' is not declared");
  }
  return found->second;
}

}  // namespace meshward::policies
