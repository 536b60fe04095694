#pragma once
// A finding is one thing a rule has to say about one object; a patch operation is one
// RFC 6902 change a mutating rule wants. Both are plain values the engine collects.

#include <string>

#include <nlohmann/json.hpp>

#include "policies/action.h"

namespace meshward::policies {

struct Finding {
  std::string rule;     // rule id, e.g. "sidecar-memory"
  std::string code;     // stable catalogue code, e.g. "MW0101"
  Action action = Action::Deny;
  std::string message;  // what will break and how to fix it

  bool operator==(const Finding&) const = default;
};

struct PatchOperation {
  std::string op;    // "add" | "replace" | "remove"
  std::string path;  // RFC 6901 JSON pointer
  nlohmann::json value;
  std::string rule;  // which rule asked for it

  nlohmann::json toJson() const;
};

}  // namespace meshward::policies
