#include "webhook/cli/version_command.h"

#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/version.h>

#include "webhook/cli/commands.h"

namespace meshward::cli {
namespace {

constexpr const char* kVersionHelp =
    "Usage: meshward version\n\nPrints the release and what the binary was built with.\n";

}  // namespace

int runVersionCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    out << kVersionHelp;
    return 0;
  }
  if (!args.empty()) {
    err << "meshward version: takes no arguments\n\n" << kVersionHelp;
    return 2;
  }
  out << "meshward " << MESHWARD_VERSION << "\n";
  out << "built with g++ " << __VERSION__ << ", C++" << __cplusplus / 100 % 100 << ", nlohmann_json "
      << NLOHMANN_JSON_VERSION_MAJOR << "." << NLOHMANN_JSON_VERSION_MINOR << "." << NLOHMANN_JSON_VERSION_PATCH
      << ", spdlog " << SPDLOG_VER_MAJOR << "." << SPDLOG_VER_MINOR << "." << SPDLOG_VER_PATCH << "\n";
  return 0;
}

int runVersion(const std::vector<std::string>& args) { return runVersionCommand(args, std::cout, std::cerr); }

}  // namespace meshward::cli
