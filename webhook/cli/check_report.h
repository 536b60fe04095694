#pragma once
// What `meshward check` found: the reported findings with the object and file:line they belong to,
// and the totals; printed as text lines for people or as one JSON document for tools.

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policies/finding.h"

namespace meshward::cli {

struct CheckedFinding {
  policies::Finding finding;  // action deny, warn or audit
  std::string kind;
  std::string namespace_name;  // "" for cluster-scoped objects
  std::string name;
  std::string file;
  int line = 0;
};

// Every count but `files` and `mutations` counts objects.
struct CheckSummary {
  std::size_t objects = 0;  // objects evaluated
  std::size_t files = 0;    // files that held them
  std::size_t skipped = 0;  // documents without apiVersion/kind (mesh config, values files...)
  std::size_t denied = 0;   // objects the webhook would reject
  std::size_t warned = 0;   // objects with at least one warning
  std::size_t audited = 0;  // objects with at least one audit-only finding
  std::size_t mutated = 0;  // objects the mutating webhook would change
  std::size_t mutations = 0;  // patch operations in total
};

struct CheckReport {
  std::vector<CheckedFinding> findings;
  CheckSummary summary;
};

// {"findings":[{"rule","code","action","kind","namespace","name","file","line","message"}],"summary":{...}};
// audit-only findings included.
nlohmann::ordered_json checkReportJson(const CheckReport& report);

// "file:line: DENY [rule] (code) Kind namespace/name: message" for deny and warn findings (audit-only
// findings are left to -o json), then one summary line.
void printCheckText(const CheckReport& report, std::ostream& out);

}  // namespace meshward::cli
