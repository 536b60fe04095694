#pragma once
// meshward's fuzz targets: each takes arbitrary bytes through one input path a client, the API
// server or a repository controls, and aborts (so libFuzzer keeps the input) when a property
// that must hold for every input fails. The same functions run under libFuzzer
// (libfuzzer_main.cc, -DMESHWARD_FUZZ=ON with clang) and in the unit tests that replay the seed
// and regression corpora (fuzz_corpus_test.cc).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace meshward::fuzz {

using FuzzFunction = void (*)(const std::uint8_t* data, std::size_t size);

struct FuzzTarget {
  std::string_view name;  // also the folder of its corpora under test/fuzz/
  FuzzFunction run;
};

const std::vector<FuzzTarget>& fuzzTargets();

void admissionReview(const std::uint8_t* data, std::size_t size);
void quantityAndDuration(const std::uint8_t* data, std::size_t size);
void policyLoader(const std::uint8_t* data, std::size_t size);
void manifestCheck(const std::uint8_t* data, std::size_t size);
void kubeStream(const std::uint8_t* data, std::size_t size);

// Ends the process with `what` when a property fails: the fuzzer's signal that this input is a finding.
[[noreturn]] void fail(std::string_view what);

inline void require(bool holds, std::string_view what) {
  if (!holds) {
    fail(what);
  }
}

// Logs would flood the fuzzer's output (and cost time); every target calls this first.
void silenceLogs();

}  // namespace meshward::fuzz
