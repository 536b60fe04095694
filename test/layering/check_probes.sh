#!/usr/bin/env bash
# check_probes.sh BUILD_DIR EXPECTATION...: each EXPECTATION is "compiles:TARGET:HEADER" (the
# target must build) or "refused:TARGET:HEADER" (it must fail because HEADER is not found, as g++
# or clang++ says it).
set -uo pipefail
build_dir=$1
shift
failures=0
checked=0
for expectation in "$@"; do
  IFS=: read -r expected target header <<<"$expectation"
  output=$(cmake --build "$build_dir" --target "$target" 2>&1)
  status=$?
  checked=$((checked + 1))
  if [[ $expected == compiles && $status -ne 0 ]]; then
    echo "FAIL $target: should compile, but:"; echo "$output" | tail -5
    failures=$((failures + 1))
  elif [[ $expected == refused ]]; then
    if [[ $status -eq 0 ]]; then
      echo "FAIL $target: including $header compiled; the layering is not enforced"
      failures=$((failures + 1))
    elif ! grep -q -e "$header: No such file or directory" -e "'$header' file not found" <<<"$output"; then
      echo "FAIL $target: failed, but not because $header is out of reach:"; echo "$output" | tail -5
      failures=$((failures + 1))
    fi
  fi
done
echo "layering: $((checked - failures)) passed, $failures failed"
[[ $failures -eq 0 ]]
