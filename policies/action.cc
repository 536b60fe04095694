#include "policies/action.h"

namespace meshward::policies {

std::string_view actionName(Action action) {
  switch (action) {
    case Action::Deny:
      return "deny";
    case Action::Warn:
      return "warn";
    case Action::Audit:
      return "audit";
    case Action::Mutate:
      return "mutate";
    case Action::Off:
      return "off";
  }
  return "off";
}

std::optional<Action> parseAction(std::string_view text) {
  for (Action action : {Action::Deny, Action::Warn, Action::Audit, Action::Mutate, Action::Off}) {
    if (actionName(action) == text) {
      return action;
    }
  }
  return std::nullopt;
}

}  // namespace meshward::policies
