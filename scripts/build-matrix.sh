#!/usr/bin/env bash
# Builds everything (binary, libraries, tests, e2e helpers) in every CMake build type with g++ and
# clang++, warnings as errors, each in build-matrix/<compiler>-<type>/; prints one line per build.
# What a packager tries; too long for CI (about an hour on 2 cores), run it before a release.
# Usage: scripts/build-matrix.sh [BUILD_TYPE...]   (default: Release RelWithDebInfo Debug MinSizeRel)
set -uo pipefail
cd "$(dirname "$0")/.."

types=("$@")
[ ${#types[@]} -eq 0 ] && types=(Release RelWithDebInfo Debug MinSizeRel)
status=0
for compiler in g++ clang++; do
  for type in "${types[@]}"; do
    dir="build-matrix/${compiler%++}-$type"
    log="$dir.log"
    mkdir -p build-matrix
    start=$(date +%s)
    if cmake -S . -B "$dir" -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_BUILD_TYPE="$type" -DMESHWARD_WERROR=ON \
         >"$log" 2>&1 && cmake --build "$dir" -j "$(nproc)" >>"$log" 2>&1; then
      result=ok
    else
      result=FAILED
      status=1
    fi
    warnings=$(grep -c "warning:" "$log" || true)
    echo "build-matrix: $compiler $type: $result in $(( $(date +%s) - start ))s, $warnings warnings (log: $log)"
  done
done
exit $status
