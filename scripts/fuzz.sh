#!/usr/bin/env bash
# Long fuzz runs: builds the libFuzzer targets (clang++, ASan+UBSan, optimised) in build-fuzz/ and
# runs every target (or those named) for SECONDS each, all at once, with their seed corpora
# (test/fuzz/corpus/TARGET and the shared corpus). New inputs go to build-fuzz/fuzz/work/TARGET;
# an input that fails a property is written to build-fuzz/fuzz/artifacts/ and the target keeps
# going (-fork). Copy each one into test/fuzz/regressions/TARGET/ once fixed: the unit tests
# replay that folder. Prints a table: target, executions, exec/s, coverage, findings.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (default: 3600 seconds, every target)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-3600}
shift || true
build=build-fuzz
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESHWARD_SANITIZE=ON \
  -DMESHWARD_FUZZ=ON >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in test/fuzz/*_target.cc; do
    name=$(basename "$source" _target.cc)
    targets+=("$name")
  done
fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

shared=../shared/corpus
declare -A extra_seeds=(
  [admission_review]="$shared/admissionreviews"
  [manifest_check]="$shared/istio-samples $shared/gitops $shared/other-meshes"
)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
pids=()
for target in "${targets[@]}"; do
  work="$build/fuzz/work/$target"
  mkdir -p "$work" "$build/fuzz/artifacts"
  # shellcheck disable=SC2086  # the extra seed folders are words
  "$build/fuzz/fuzz_$target" -fork=1 -ignore_crashes=1 -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz/artifacts/$target-" "$work" "test/fuzz/corpus/$target" \
    ${extra_seeds[$target]:-} >"$build/fuzz/$target.log" 2>&1 &
  pids+=($!)
done
echo "fuzz: ${#targets[@]} targets for ${seconds}s each (logs: $build/fuzz/TARGET.log)"
for pid in "${pids[@]}"; do
  wait "$pid" || true
done

# The last status line of each run, "#EXECS: cov: EDGES ft: FEATURES corp: N exec/s RATE ... time: Ns"
# (-fork); exec/s here is the run's average.
printf '| target | seconds | executions | exec/s | coverage (edges) | features | corpus | findings |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for target in "${targets[@]}"; do
  log="$build/fuzz/$target.log"
  line=$(grep -E '^#[0-9]+: cov: ' "$log" | tail -1 || true)
  field() { sed -nE "s|.* $1:? ([0-9]+).*|\\1|p" <<<"$line"; }
  findings=$(find "$build/fuzz/artifacts" -name "$target-crash-*" 2>/dev/null | wc -l)
  timeouts=$(find "$build/fuzz/artifacts" -name "$target-timeout-*" 2>/dev/null | wc -l)
  runs=$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$line")
  seconds_run=$(field time)
  printf '| %s | %s | %s | %s | %s | %s | %s | %s crashes, %s timeouts |\n' "$target" "$seconds_run" "$runs" \
    "$(( ${runs:-0} / (${seconds_run:-0} > 0 ? ${seconds_run:-1} : 1) ))" "$(field cov)" "$(field ft)" "$(field corp)" \
    "$findings" "$timeouts"
done
