#pragma once
// `meshward check`: runs the admission engine over manifests offline, so CI and admission can
// never disagree. The core takes its streams so tests run it; runCheck (commands.h) passes the
// process's own.

#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace meshward::cli {

// Exit status: 0 nothing denied, 1 something denied, 2 usage error or unreadable input.
int runCheckCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace meshward::cli
