// A repository's manifest as `meshward check -` reads it, in every output format. Properties: the
// exit status is 0, 1 or 2 and the same in every format (one decision, however it is printed),
// no rule fails on it ("internal error"), what is printed is UTF-8, and -o json prints JSON.

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test/fuzz/fuzz_targets.h"
#include "webhook/cli/check_command.h"
#include "webhook/common/utf8.h"

namespace meshward::fuzz {
namespace {

struct CheckRun {
  int status = 0;
  std::string out;
  std::string err;
};

CheckRun check(std::string_view manifest, const std::string& format) {
  std::istringstream in{std::string(manifest)};
  std::ostringstream out;
  std::ostringstream err;
  const int status = cli::runCheckCommand({"-o", format, "--now", "2026-12-07T10:00:00Z", "-"}, in, out, err);
  return {status, out.str(), err.str()};
}

}  // namespace

void manifestCheck(const std::uint8_t* data, std::size_t size) {
  silenceLogs();
  const std::string_view manifest(reinterpret_cast<const char*>(data), size);
  const CheckRun text = check(manifest, "text");
  const CheckRun json = check(manifest, "json");
  for (const CheckRun* run : {&text, &json}) {
    require(run->status >= 0 && run->status <= 2, "exit status " + std::to_string(run->status));
    require(run->err.find("internal error") == std::string::npos, "check failed inside: " + run->err);
    require(!firstInvalidUtf8(run->out) && !firstInvalidUtf8(run->err), "check printed bytes that are not UTF-8");
  }
  require(text.status == json.status,
          "-o text exits " + std::to_string(text.status) + ", -o json exits " + std::to_string(json.status));
  if (json.status != 2) {
    require(nlohmann::json::accept(json.out), "-o json printed something that is not JSON: " + json.out);
  }
}

}  // namespace meshward::fuzz
