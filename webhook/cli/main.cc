// meshward: a Kubernetes admission webhook that stops dangerous service-mesh changes.

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "webhook/cli/commands.h"

namespace {

constexpr const char* kUsage = R"(meshward - stops dangerous service-mesh changes before they reach a cluster

Usage:
  meshward serve [--config FILE] [--tls-cert FILE --tls-key FILE] [--client-ca FILE]
                 [--listen ADDR:PORT] [--metrics-listen ADDR:PORT] [--audit-log FILE]
                 [--cluster-state DIR]
  meshward check [-o text|json] [--config FILE] [--cluster-state DIR] [--as USER] [--now TIME] PATH...
  meshward audit [--since DURATION] [--user U] [--rule ID] [--decision allowed|denied]
                 [--break-glass] [-o text|json] FILE...
  meshward rules [-o text|json]
  meshward doctor [--kubeconfig FILE [--context NAME]] [--tls-secret NAME] [-o text|json]
  meshward version

Run 'meshward COMMAND --help' for the options of one command.
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string verb = args[0];
  args.erase(args.begin());
  try {
    if (verb == "serve") {
      return meshward::cli::runServe(args);
    }
    if (verb == "check") {
      return meshward::cli::runCheck(args);
    }
    if (verb == "audit") {
      return meshward::cli::runAudit(args);
    }
    if (verb == "rules") {
      return meshward::cli::runRules(args);
    }
    if (verb == "doctor") {
      return meshward::cli::runDoctor(args);
    }
    if (verb == "version" || verb == "--version") {
      return meshward::cli::runVersion(args);
    }
  } catch (const std::exception& error) {
    std::cerr << "meshward " << verb << ": internal error: " << error.what() << "\n";
    return 2;
  }
  std::cerr << "meshward: unknown command '" << verb << "'\n\n" << kUsage;
  return 2;
}
