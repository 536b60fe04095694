#pragma once
// What happens when a rule fires: the policy file chooses one action per rule (and per
// secondary finding), the engine turns it into a deny, a warning, an audit-only record or
// a patch.

#include <optional>
#include <string_view>

namespace meshward::policies {

enum class Action { Deny, Warn, Audit, Mutate, Off };

std::string_view actionName(Action action);
std::optional<Action> parseAction(std::string_view text);

}  // namespace meshward::policies
