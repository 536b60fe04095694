// The libFuzzer entry point of one target, chosen at compile time (MESHWARD_FUZZ_TARGET, the
// target's name in fuzzTargets()).

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "test/fuzz/fuzz_targets.h"

namespace {

meshward::fuzz::FuzzFunction chosenTarget() {
  for (const meshward::fuzz::FuzzTarget& target : meshward::fuzz::fuzzTargets()) {
    if (target.name == MESHWARD_FUZZ_TARGET) {
      return target.run;
    }
  }
  std::fprintf(stderr, "no fuzz target named %s\n", MESHWARD_FUZZ_TARGET);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const meshward::fuzz::FuzzFunction run = chosenTarget();
  run(data, size);
  return 0;
}
