#!/usr/bin/env bash
# meshward against the physical limit, side by side in one run: throughput of the AdmissionReview
# mix over keep-alive TLS (wrk, meshward vs nginx returning a fixed response), latency at a fixed
# rate (fixed_rate_client), memory idle / after syncing 50,000 pods + 5,000 DestinationRules /
# under load, start-up time to ready. Prints a markdown results table and writes it to
# BUILD_DIR/bench/load-results.md. Everything binds 127.0.0.1 and stops when the script ends.
# Usage: bench/load/run.sh [BUILD_DIR] [SECONDS_PER_RUN]   (needs wrk and nginx: apt-get install wrk nginx-light)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-bench}
seconds=${2:-20}
pods=${MESHWARD_BENCH_PODS:-50000}
destination_rules=${MESHWARD_BENCH_DESTINATION_RULES:-5000}
rate=1000
source bench/load/common.sh
build_targets meshward fixed_rate_client fake_kube_apiserver
rss_mib() { awk -v key="$2:" '$1 == key {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
generate_data

# Starts `meshward serve` with the given extra flags; sets $port, $pid and $ready_ms.
start_meshward() {
  port=$(free_port)
  local started
  started=$(python3 "$load/start_and_wait.py" --port "$port" --ca "$work/cert.pem" --log "$work/serve.log" -- \
    "$build/meshward" serve --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$(free_port)" "${tls[@]}" \
    --audit-log "$work/audit.log" "$@")
  pid=$(field pid "$started")
  ready_ms=$(field ready_ms "$started")
  pids+=("$pid")
}

echo "start-up without cluster state ..." >&2
startups=()
for _ in 1 2 3 4 5; do
  start_meshward
  startups+=("$ready_ms")
  sleep 1
  idle_rss=$(rss_mib "$pid" VmRSS)
  stop_all
done
startup_ms=$(printf '%s\n' "${startups[@]}" | sort -n | sed -n 3p)

echo "syncing the cluster from the API stand-in ..." >&2
start_fake_apiserver
start_meshward --kubeconfig "$work/fake/kubeconfig"
sync_ms=$ready_ms
meshward_pid=$pid
meshward_port=$port
synced_rss=$(rss_mib "$pid" VmRSS)
synced_hwm=$(rss_mib "$pid" VmHWM)

start_nginx

# wrk_run PORT CONNECTIONS PID [MIX]: the mix (or MIX) for $seconds over CONNECTIONS keep-alive connections, 2
# threads; wrk's line plus cpu_us=, the CPU the server PID (and its children) spent per request.
wrk_run() {
  local before result
  before=$(cpu_ticks "$3")
  result=$(wrk -t2 -c"$2" -d"${seconds}s" -s "$load/mix.lua" "https://127.0.0.1:$1" -- "${4:-$mix}" | grep '^rps=')
  echo "$result cpu_us=$(cpu_us $(($(cpu_ticks "$3") - before)) "$(field requests "$result")")"
}
check_clean() {
  if [[ $(field non2xx "$1") != 0 || $(field socket_errors "$1") != 0 ]]; then
    echo "errors during the run: $1" >&2
    exit 1
  fi
}

throughput_rows=()
under_load_rss=0
for connections in 4 16; do
  echo "throughput over $connections connections ..." >&2
  nginx_result=$(wrk_run "$nginx_port" "$connections" "$nginx_pid")
  check_clean "$nginx_result"
  ( peak=0; while kill -0 "$meshward_pid" 2>/dev/null; do
      now=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$meshward_pid/status"); (( now > peak )) && peak=$now
      echo "$peak" >"$work/load-rss"; sleep 0.5; done ) &
  sampler=$!
  meshward_result=$(wrk_run "$meshward_port" "$connections" "$meshward_pid")
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  check_clean "$meshward_result"
  sampled=$(awk '{printf "%.1f", $1 / 1024}' "$work/load-rss")
  under_load_rss=$(awk -v a="$under_load_rss" -v b="$sampled" 'BEGIN {print (b > a) ? b : a}')
  nginx_rps=$(field rps "$nginx_result")
  meshward_rps=$(field rps "$meshward_result")
  throughput_rows+=("| $connections | $nginx_rps | $meshward_rps | $(ratio "$meshward_rps" "$nginx_rps") | $(field cpu_us "$nginx_result") | $(field cpu_us "$meshward_result") |")
done
under_load_hwm=$(rss_mib "$meshward_pid" VmHWM)

# The issue-11 target: the VirtualService CREATE alone over 8 connections.
echo "VirtualService CREATE over 8 connections ..." >&2
vs_mix=$work/data/requests/virtualservice-create.txt
nginx_result=$(wrk_run "$nginx_port" 8 "$nginx_pid" "$vs_mix")
meshward_result=$(wrk_run "$meshward_port" 8 "$meshward_pid" "$vs_mix")
check_clean "$nginx_result"
check_clean "$meshward_result"
throughput_rows+=("| 8, VirtualService CREATE only | $(field rps "$nginx_result") | $(field rps "$meshward_result") | $(ratio "$(field rps "$meshward_result")" "$(field rps "$nginx_result")") | $(field cpu_us "$nginx_result") | $(field cpu_us "$meshward_result") |")

# The transport alone: GET /healthz (no body, no JSON, no audit) over the same connections.
echo "transport only (GET /healthz) over 4 connections ..." >&2
# get_run PORT PID: wrk's GET /healthz for $seconds over 4 connections; "RPS CPU_US".
get_run() {
  local before requests rps
  before=$(cpu_ticks "$2")
  read -r requests rps < <(wrk -t2 -c4 -d"${seconds}s" "https://127.0.0.1:$1/healthz" |
    awk '/requests in/ {requests = $1} /^Requests\/sec/ {printf "%s %.0f\n", requests, $2}')
  echo "$rps $(cpu_us $(($(cpu_ticks "$2") - before)) "$requests")"
}
read -r nginx_get nginx_get_cpu < <(get_run "$nginx_port" "$nginx_pid")
read -r meshward_get meshward_get_cpu < <(get_run "$meshward_port" "$meshward_pid")
throughput_rows+=("| 4, GET /healthz (transport only) | $nginx_get | $meshward_get | $(ratio "$meshward_get" "$nginx_get") | $nginx_get_cpu | $meshward_get_cpu |")

echo "latency at $rate requests/s ..." >&2
latency_rows=()
for target in meshward nginx; do
  target_port=$([[ $target == meshward ]] && echo "$meshward_port" || echo "$nginx_port")
  result=$("$build/bench/fixed_rate_client" --port "$target_port" --ca "$work/cert.pem" --mix "$mix" --rate "$rate" \
    --seconds "$seconds" --connections 4)
  latency_rows+=("| $target | $(field requests "$result") | $(field p50_us "$result") µs | $(field p90_us "$result") µs | $(field p99_us "$result") µs | $(field p999_us "$result") µs | $(field max_us "$result") µs |")
done
audit_lines=$(cat "$work"/audit.log* | wc -l)

results=$build/bench/load-results.md
mkdir -p "$(dirname "$results")"
{
  machine
  echo "command: bench/load/run.sh $build $seconds (cluster: $pods pods, $destination_rules DestinationRules; mix: VirtualService CREATE, Pod CREATE mutated, Deployment UPDATE, mesh-wide STRICT PeerAuthentication denied)"
  echo
  echo "Throughput, wrk -t2, ${seconds} s per run, keep-alive TLS 1.3, nginx first then meshward:"
  echo
  echo "| connections | nginx req/s | meshward req/s | meshward / nginx | nginx CPU µs per request | meshward CPU µs per request |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${throughput_rows[@]}"
  echo
  echo "Latency at a fixed $rate req/s (open loop, 4 keep-alive TLS connections, ${seconds} s after 2 s warm-up, from the time each request was due):"
  echo
  echo "| server | requests | p50 | p90 | p99 | p99.9 | max |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${latency_rows[@]}"
  echo
  echo "| meshward | value |"
  echo "|---|---|"
  echo "| start-up to /readyz 200, no cluster state (median of 5) | $startup_ms ms |"
  echo "| RSS idle, no cluster state | $idle_rss MiB |"
  echo "| initial sync of $pods pods + $destination_rules DestinationRules (start to /readyz 200) | $sync_ms ms |"
  echo "| RSS after the sync (VmRSS / VmHWM) | $synced_rss MiB / $synced_hwm MiB |"
  echo "| RSS under load (highest sampled VmRSS / VmHWM) | $under_load_rss MiB / $under_load_hwm MiB |"
  echo "| audit records written | $audit_lines |"
} | tee "$results"
