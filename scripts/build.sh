#!/usr/bin/env bash
# Configures and builds meshward into a build directory (default: build/).
# Usage: scripts/build.sh [BUILD_DIR] [TARGET] [extra cmake -D options...]
# TARGET "all" (the default) builds everything: the binary, the library and the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build}
target=${2:-all}
shift 2 || shift $#
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target "$target"
