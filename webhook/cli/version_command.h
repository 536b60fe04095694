#pragma once
// `meshward version`: the release and what the binary was built with.

#include <ostream>
#include <string>
#include <vector>

namespace meshward::cli {

// First line "meshward <version>". Exit status: 0, or 2 when given arguments.
int runVersionCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace meshward::cli
