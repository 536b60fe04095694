// Every fuzz target over its seed corpus and every input that ever made it fail
// (test/fuzz/corpus/TARGET, test/fuzz/regressions/TARGET): a regression fails the target's
// property (and the test process) again, under the sanitizers in CI.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/fuzz/fuzz_targets.h"

namespace meshward::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputsIn(const fs::path& folder) {
  std::vector<fs::path> files;
  if (fs::is_directory(folder)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
      if (entry.is_regular_file() && entry.path().filename() != "README.md") {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string contents(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

class FuzzCorpusTest : public ::testing::TestWithParam<FuzzTarget> {};

TEST_P(FuzzCorpusTest, EverySeedAndRegressionPassesItsProperties) {
  const fs::path root = fs::path(MESHWARD_SOURCE_DIR) / "test" / "fuzz";
  const std::vector<fs::path> seeds = inputsIn(root / "corpus" / GetParam().name);
  ASSERT_FALSE(seeds.empty()) << "no seeds for " << GetParam().name;
  std::vector<fs::path> inputs = seeds;
  const std::vector<fs::path> regressions = inputsIn(root / "regressions" / GetParam().name);
  inputs.insert(inputs.end(), regressions.begin(), regressions.end());
  for (const fs::path& input : inputs) {
    SCOPED_TRACE(input.string());
    const std::string bytes = contents(input);
    GetParam().run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzCorpusTest, ::testing::ValuesIn(fuzzTargets()),
                         [](const ::testing::TestParamInfo<FuzzTarget>& target) { return std::string(target.param.name); });

}  // namespace
}  // namespace meshward::fuzz
