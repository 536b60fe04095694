#pragma once
// The facts of an admission request a rule may use; never the raw HTTP request.

#include <chrono>
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
  // When the request was received: whatever depends on the time reads it here, never the clock.
  std::chrono::system_clock::time_point now{};
};

}  // namespace meshward::policies
