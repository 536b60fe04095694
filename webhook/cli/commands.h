#pragma once
// The verbs of the meshward command line. Each takes the arguments after the verb and
// returns the process exit code (2 on usage errors, with a message on stderr).

#include <string>
#include <vector>

namespace meshward::cli {

int runServe(const std::vector<std::string>& args);
int runCheck(const std::vector<std::string>& args);
int runAudit(const std::vector<std::string>& args);
int runRules(const std::vector<std::string>& args);
int runDoctor(const std::vector<std::string>& args);
int runVersion(const std::vector<std::string>& args);

}  // namespace meshward::cli
