#pragma once
// Who owns a category of high-risk change: users and groups, written "user:NAME" and
// "group:NAME" in the policy file (RBAC's subject kinds; a user name may itself hold colons,
// as system:serviceaccount:NS:NAME does).

#include <string>
#include <string_view>
#include <vector>

namespace meshward::policies {

// What is wrong with one owner entry; "" when it is fine.
std::string ownerEntryProblem(std::string_view entry);

class Owners {
 public:
  // From entries that passed ownerEntryProblem.
  explicit Owners(const std::vector<std::string>& entries);

  // Nobody named: the category has no owners, and anyone may change it.
  bool anyone() const { return users_.empty() && groups_.empty(); }
  bool includes(std::string_view user, const std::vector<std::string>& groups) const;
  // "groups platform-team, sre; users alice"
  std::string describe() const;

 private:
  std::vector<std::string> users_;
  std::vector<std::string> groups_;
};

}  // namespace meshward::policies
