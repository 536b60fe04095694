#pragma once
// `meshward doctor`: reads meshward's webhook configurations from a cluster and reports what would
// make them fail, with a fix for each (doctor_checks.h).

#include <iosfwd>
#include <string>
#include <vector>

namespace meshward::cli {

// Exit code 0: nothing wrong; 1: problems found; 2: usage error or the API server cannot be read.
int runDoctorCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace meshward::cli
