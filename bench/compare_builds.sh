#!/usr/bin/env bash
# Two meshward builds side by side in one run (e.g. before and after a change), both synced from
# the same API stand-in holding 50,000 pods and 5,000 DestinationRules:
#  1. CPU time per request (user + system, /proc/PID/stat) on bench/load's AdmissionReview mix,
#     wrk -t2 over 4 connections, alternating the builds ROUNDS times;
#  2. how long a watch event takes to reach each one's cache, idle and while wrk floods it with
#     the mesh-wide STRICT PeerAuthentication review (bench/load/watch_delay.py).
# Prints a markdown table. Everything binds 127.0.0.1 and stops on exit.
# Usage: bench/compare_builds.sh BEFORE_BUILD_DIR AFTER_BUILD_DIR [SECONDS_PER_RUN] [ROUNDS]
# Both build dirs must hold a built `meshward`; the API stand-in comes from AFTER_BUILD_DIR.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
before_build=$1
build=$2
seconds=${3:-15}
rounds=${4:-3}
pods=${MESHWARD_BENCH_PODS:-50000}
destination_rules=${MESHWARD_BENCH_DESTINATION_RULES:-5000}
source bench/load/common.sh
for binary in "$before_build/meshward" "$build/meshward" "$build/test/fake_kube_apiserver"; do
  [[ -x $binary ]] || { echo "missing $binary" >&2; exit 2; }
done
generate_data
start_fake_apiserver
control_port=$(sed -n 's/.*"control_port":\([0-9]*\).*/\1/p' "$work/fake/started")
strict_mix=$work/data/requests/strict.txt
grep peerauthentication "$mix" >"$strict_mix"

# start_meshward NAME BUILD: a synced server; sets ${NAME}_pid, ${NAME}_port, ${NAME}_metrics.
start_meshward() {
  local name=$1 binary=$2/meshward port metrics started
  port=$(free_port)
  metrics=$(free_port)
  echo "starting $name ($binary) and syncing the cluster ..." >&2
  started=$(python3 "$load/start_and_wait.py" --port "$port" --ca "$work/cert.pem" --log "$work/$name.log" -- \
    "$binary" serve --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$metrics" "${tls[@]}" \
    --audit-log "$work/$name-audit.log" --kubeconfig "$work/fake/kubeconfig")
  pids+=("$(field pid "$started")")
  printf -v "${name}_pid" %s "$(field pid "$started")"
  printf -v "${name}_port" %s "$port"
  printf -v "${name}_metrics" %s "$metrics"
}
start_meshward before "$before_build"
start_meshward after "$build"

# cpu_per_request PID PORT MIX: "RPS CPU_US".
cpu_per_request() {
  local before after result
  before=$(cpu_ticks "$1")
  result=$(wrk -t2 -c4 -d"${seconds}s" -s "$load/mix.lua" "https://127.0.0.1:$2" -- "$3" | grep '^rps=')
  after=$(cpu_ticks "$1")
  if [[ $(field non2xx "$result") != 0 || $(field socket_errors "$result") != 0 ]]; then
    echo "errors during the run on port $2: $result" >&2
    exit 1
  fi
  echo "$(field rps "$result") $(cpu_us $((after - before)) "$(field requests "$result")")"
}

rows=()
for round in $(seq "$rounds"); do
  for name in before after; do
    pid_var=${name}_pid port_var=${name}_port
    echo "round $round: $name, mix ..." >&2
    read -r rps cpu < <(cpu_per_request "${!pid_var}" "${!port_var}" "$mix")
    rows+=("| $round | $name | mix, 4 connections | $rps | $cpu | |")
  done
done

# watch_delay NAME FLOOD(0|1): the delay line, with wrk flooding NAME with STRICT reviews when FLOOD is 1.
watch_delay() {
  local name=$1 flood=$2 port_var=${1}_port metrics_var=${1}_metrics wrk_pid= result
  if [[ $flood == 1 ]]; then
    wrk -t2 -c4 -d"$((seconds * 4))s" -s "$load/mix.lua" "https://127.0.0.1:${!port_var}" -- "$strict_mix" \
      >"$work/$name-flood.txt" 2>&1 &
    wrk_pid=$!
    sleep 2
  fi
  result=$(python3 "$load/watch_delay.py" "$control_port" "${!metrics_var}" --events 20 --prefix "$name-$flood")
  if [[ -n $wrk_pid ]]; then
    kill -INT "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" 2>/dev/null || true
    result+=" flood_$(grep -o 'rps=[0-9.]*' "$work/$name-flood.txt" || echo rps=?)"
  fi
  echo "$result"
}
for name in before after; do
  for flood in 0 1; do
    echo "$name: watch delay, $([[ $flood == 1 ]] && echo "under a mesh-wide STRICT flood" || echo idle) ..." >&2
    result=$(watch_delay "$name" "$flood")
    label=$([[ $flood == 1 ]] && echo "watch delay, mesh-wide STRICT flood" || echo "watch delay, idle")
    rows+=("| | $name | $label | $(field flood_rps "$result") | | $(field p50_ms "$result") / $(field p90_ms "$result") / $(field max_ms "$result") ms |")
  done
done

echo
echo "$(machine); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "before: $before_build, after: $build; $pods pods, $destination_rules DestinationRules, ${seconds}s per run"
echo
echo "| round | build | run | req/s | CPU µs per request | watch event p50 / p90 / max |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
