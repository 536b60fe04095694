// A policy file as a platform team writes it (the ConfigMap a reload picks up). Properties: it
// loads or is refused with a UTF-8 reason that names the file, the same way every time, and a policy
// that loads has settings for every registered rule (the engine looks each one up).

#include <string>

#include "policies/policy.h"
#include "policies/registry.h"
#include "test/fuzz/fuzz_targets.h"
#include "webhook/common/utf8.h"

namespace meshward::fuzz {

void policyLoader(const std::uint8_t* data, std::size_t size) {
  silenceLogs();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Result<policies::Policy> first = policies::parsePolicy(text, "fuzz.yaml");
  const Result<policies::Policy> second = policies::parsePolicy(text, "fuzz.yaml");
  require(first.ok() == second.ok(), "the same policy text loads once and is refused once");
  if (!first.ok()) {
    require(first.error().starts_with("fuzz.yaml") && first.error() == second.error(),
            "a refusal that does not name the file, or changes: " + first.error());
    require(!firstInvalidUtf8(first.error()), "a refusal that is not UTF-8: " + first.error());
    return;
  }
  for (const policies::Rule* rule : policies::allRules()) {
    require(first->rules.contains(rule->metadata().id), "a loaded policy without settings for a registered rule");
  }
}

}  // namespace meshward::fuzz
