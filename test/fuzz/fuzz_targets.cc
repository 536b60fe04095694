#include "test/fuzz/fuzz_targets.h"

#include <cstdio>
#include <cstdlib>

#include <spdlog/spdlog.h>

namespace meshward::fuzz {

const std::vector<FuzzTarget>& fuzzTargets() {
  static const std::vector<FuzzTarget> targets = {
      {"admission_review", &admissionReview}, {"quantity_duration", &quantityAndDuration},
      {"policy_loader", &policyLoader},       {"manifest_check", &manifestCheck},
      {"kube_stream", &kubeStream},
  };
  return targets;
}

void fail(std::string_view what) {
  std::fprintf(stderr, "meshward fuzz: property failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

void silenceLogs() {
  static const bool silenced = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)silenced;
}

}  // namespace meshward::fuzz
