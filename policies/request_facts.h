#pragma once
// The facts of an admission request a rule may use; never the raw HTTP request.

#include <string>
#include <vector>

namespace meshward::policies {

struct RequestFacts {
  std::string operation;  // CREATE | UPDATE | DELETE | CONNECT
  std::string group;
  std::string version;
  std::string kind;
  std::string namespace_name;
  std::string name;
  std::string user;
  std::vector<std::string> groups;
  bool dry_run = false;
};

}  // namespace meshward::policies
