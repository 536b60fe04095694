#pragma once
// `meshward rules`: every registered rule with its kinds, operations, codes, default action and
// parameters. The Helm chart's webhook configuration is checked against the JSON form.

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace meshward::cli {

// {"rules":[{"id","type","description","defaultAction","operations","kinds":[{"apiGroup","apiVersions",
// "kind","resource"}],"codes":[{"code","name","title"}],"parameters":[{"name","type","default","description"}]}]}
nlohmann::ordered_json rulesJson();

// Exit status: 0, or 2 on a usage error.
int runRulesCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace meshward::cli
