#include "policies/change_governance/owners.h"

#include <algorithm>

#include "webhook/common/join.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kUserPrefix = "user:";
constexpr std::string_view kGroupPrefix = "group:";

}  // namespace

std::string ownerEntryProblem(std::string_view entry) {
  for (const std::string_view prefix : {kUserPrefix, kGroupPrefix}) {
    if (entry.starts_with(prefix)) {
      return entry.size() > prefix.size() ? "" : "'" + std::string(entry) + "' names nobody";
    }
  }
  return "'" + std::string(entry) + "' must be user:NAME or group:NAME";
}

Owners::Owners(const std::vector<std::string>& entries) {
  for (const std::string& entry : entries) {
    if (entry.starts_with(kUserPrefix)) {
      users_.push_back(entry.substr(kUserPrefix.size()));
    } else if (entry.starts_with(kGroupPrefix)) {
      groups_.push_back(entry.substr(kGroupPrefix.size()));
    }
  }
}

bool Owners::includes(std::string_view user, const std::vector<std::string>& groups) const {
  if (std::find(users_.begin(), users_.end(), user) != users_.end()) {
    return true;
  }
  return std::any_of(groups.begin(), groups.end(), [&](const std::string& group) {
    return std::find(groups_.begin(), groups_.end(), group) != groups_.end();
  });
}

std::string Owners::describe() const {
  std::vector<std::string> parts;
  if (!groups_.empty()) {
    parts.push_back((groups_.size() == 1 ? "group " : "groups ") + joinStrings(groups_, ", "));
  }
  if (!users_.empty()) {
    parts.push_back((users_.size() == 1 ? "user " : "users ") + joinStrings(users_, ", "));
  }
  return joinStrings(parts, "; ");
}

}  // namespace meshward::policies
