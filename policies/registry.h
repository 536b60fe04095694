#pragma once
// The one explicit, sorted list of rules. Adding a rule means adding one line here (an
// explicit list also keeps a static library's rules from being dropped by the linker).

#include <string_view>
#include <vector>

#include "policies/rule.h"

namespace meshward::policies {

// Every rule, sorted by id.
const std::vector<const Rule*>& allRules();

// nullptr when no rule has that id.
const Rule* findRule(std::string_view id);

}  // namespace meshward::policies
