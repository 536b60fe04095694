#!/usr/bin/env bash
# Latency of one /validate and one /mutate request as kube-apiserver sees it: 10,000
# sequential requests each over one keep-alive TLS connection, against a release build.
# Usage: bench/admission_latency.sh [BUILD_DIR] [REQUESTS]   (builds the targets it needs)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
requests=${2:-10000}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target meshward admission_latency >/dev/null

work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
metrics=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TMPDIR=$work "$build/meshward" serve --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$metrics" \
  --cluster-state bench/testdata/cluster-state.yaml --audit-log "$work/audit.log" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do grep -q "ready" "$work/serve.log" && break; sleep 0.05; done
ca=$(grep -o "$work/meshward-ca-[0-9]*\.pem" "$work/serve.log" | head -1)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
"$build/bench/admission_latency" --url "https://127.0.0.1:$port/validate" --ca "$ca" \
  --body bench/testdata/validate-deployment.json --requests "$requests"
"$build/bench/admission_latency" --url "https://127.0.0.1:$port/mutate" --ca "$ca" \
  --body bench/testdata/mutate-pod.json --requests "$requests"
echo "audit lines written: $(wc -l < "$work/audit.log")"
