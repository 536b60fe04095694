#!/usr/bin/env bash
# The "test" command: installs what is missing, builds, and runs every test: the unit tests and
# the end-to-end tests (the real binary over real TLS) in a clang++ build with AddressSanitizer and
# UndefinedBehaviorSanitizer, with a few seconds of each libFuzzer target (MESHWARD_FUZZ) and the
# fuzz corpora replayed, then the end-to-end tests that exercise the server again against a g++
# Release build (built beside the tests). Both builds treat warnings as errors (MESHWARD_WERROR).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d ../shared/corpus ]; then
  echo "test: ../shared (the shared test corpus) must sit beside this checkout" >&2
  exit 2
fi

scripts/install-deps.sh

jobs=$(nproc)
status=0

echo "== build (clang++, Debug, ASan+UBSan, libFuzzer targets)"
scripts/build.sh build-sanitize all -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DMESHWARD_SANITIZE=ON \
  -DMESHWARD_FUZZ=ON -DMESHWARD_WERROR=ON
# The g++ Release build runs beside the tests, niced: it takes the CPU they leave while they wait
# (on servers, timeouts, Helm), and has the machine to itself once they are done.
echo "== build (g++, Release) started in the background: build-release.log"
nice -n 10 scripts/build.sh build-release e2e_binaries -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release \
  -DMESHWARD_WERROR=ON >build-release.log 2>&1 &
release_build=$!

echo "== all tests (ASan+UBSan; unit, e2e, fuzz smoke)"
(
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  cd build-sanitize && ctest --output-on-failure --timeout 600 -j "$jobs"
) || status=1

echo "== build (g++, Release)"
if ! wait "$release_build"; then
  cat build-release.log
  echo "test: the Release build failed" >&2
  exit 1
fi
tail -n 3 build-release.log
# Again against the optimised binary: the modules whose outcome depends on how meshward runs
# (chart, monitoring, certs and doctor check what Helm, promtool and openssl produce, and ran above).
echo "== end-to-end tests (Release)"
(cd build-release && ctest --output-on-failure --timeout 300 -j "$jobs" -L e2e \
  -E '^e2e_(chart|monitoring|certs|doctor)$') || status=1

if [ $status -ne 0 ]; then
  echo "test: FAILED" >&2
fi
exit $status
