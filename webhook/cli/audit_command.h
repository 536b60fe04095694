#pragma once
// `meshward audit`: reviews audit logs. The core takes its streams and the current time so
// tests run it deterministically; runAudit (commands.h) passes the process's own.

#include <chrono>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace meshward::cli {

int runAuditCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err,
                    std::chrono::system_clock::time_point now);

}  // namespace meshward::cli
