#!/usr/bin/env bash
# Soak test (issue 16): meshward serve --kubeconfig against the Kubernetes API stand-in for
# MINUTES under a mix of valid and invalid AdmissionReviews, with watch drops, 410s, cluster
# changes, policy reloads and key pair replacements at once; reports RSS, fds, answers and audit
# lines over time and PASS/FAIL (exit 1 on a failure). Builds nothing: it runs BUILD_DIR's
# meshward and test/fake_kube_apiserver. Extra arguments go to bench/soak/soak.py (--rate,
# --clients, --chaos-interval, --report FILE, --samples-csv FILE, --keep; see its --help).
#
# Usage: bench/soak.sh [MINUTES (default 30)] [BUILD_DIR (default build-release, else build)] [soak.py options]
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-30}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ] && [[ $1 != --* ]]; then
  build=$1
  shift
elif [ -x build-release/meshward ] && [ -x build-release/test/fake_kube_apiserver ]; then
  build=build-release
else
  build=build
fi
[[ $minutes =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "usage: bench/soak.sh [MINUTES] [BUILD_DIR] [soak.py options]" >&2; exit 2; }

for binary in meshward test/fake_kube_apiserver; do
  if [ ! -x "$build/$binary" ]; then
    echo "$build/$binary is missing; build both with:" >&2
    echo "  cmake -S . -B $build -DCMAKE_BUILD_TYPE=Release && cmake --build $build -j2 --target meshward fake_kube_apiserver" >&2
    exit 2
  fi
done
for tool in python3 openssl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 2; }
done

echo "soak: $minutes min, $build/meshward ($(git rev-parse --short HEAD 2>/dev/null || echo unknown))" >&2
exec python3 -B bench/soak/soak.py --minutes "$minutes" --build-dir "$build" "$@"
