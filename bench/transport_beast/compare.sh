#!/usr/bin/env bash
# Three transports in one run: nginx (fixed response, the limit), meshward (cpp-httplib) and
# beast_webhook_server (the Boost.Beast/Asio prototype serving the same AdmissionHandler), both
# webhooks synced from the same API stand-in; wrk -t2 with the AdmissionReview mix over 4 and 16
# connections, then GET /healthz (the transport alone) over 4, with each webhook's CPU time per
# request. Prints a markdown table and writes it to BUILD_DIR/bench/transport-results.md.
# Everything binds 127.0.0.1.
# Usage: bench/transport_beast/compare.sh [BUILD_DIR] [SECONDS_PER_RUN]   (needs wrk, nginx, libboost-dev)
# MESHWARD_BENCH_BEAST_THREADS sets the prototype's threads (default: the core count).
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/../.."
build=${1:-build-bench}
seconds=${2:-20}
pods=${MESHWARD_BENCH_PODS:-50000}
destination_rules=${MESHWARD_BENCH_DESTINATION_RULES:-5000}
threads=${MESHWARD_BENCH_BEAST_THREADS:-$(nproc)}
load_average=$(cut -d' ' -f1-3 /proc/loadavg)
source bench/load/common.sh
build_targets meshward beast_webhook_server fake_kube_apiserver
generate_data
start_fake_apiserver

# start_synced NAME PORT COMMAND...: starts a webhook, waits until its cache is synced; sets $started_pid.
start_synced() {
  local name=$1 port=$2
  shift 2
  echo "starting $name and syncing the cluster ..." >&2
  local started
  started=$(python3 "$load/start_and_wait.py" --port "$port" --ca "$work/cert.pem" --log "$work/$name.log" -- "$@")
  started_pid=$(field pid "$started")
  pids+=("$started_pid")
}
meshward_port=$(free_port)
start_synced meshward "$meshward_port" "$build/meshward" serve --listen "127.0.0.1:$meshward_port" \
  --metrics-listen "127.0.0.1:$(free_port)" "${tls[@]}" --audit-log "$work/meshward-audit.log" \
  --kubeconfig "$work/fake/kubeconfig"
meshward_pid=$started_pid
beast_port=$(free_port)
start_synced beast "$beast_port" "$build/bench/beast_webhook_server" --listen "127.0.0.1:$beast_port" "${tls[@]}" \
  --audit-log "$work/beast-audit.log" --kubeconfig "$work/fake/kubeconfig" --threads "$threads"
beast_pid=$started_pid

start_nginx

# run_wrk PORT CONNECTIONS [PATH]: "rps=... requests=..." for the mix, or for GET PATH when given.
# Any non-2xx answer or socket error fails the run.
run_wrk() {
  local result
  if [[ -z ${3:-} ]]; then
    result=$(wrk -t2 -c"$2" -d"${seconds}s" -s "$load/mix.lua" "https://127.0.0.1:$1" -- "$mix" | grep '^rps=')
  else
    result=$(wrk -t2 -c"$2" -d"${seconds}s" "https://127.0.0.1:$1$3" | awk '
      /requests in/ {requests = $1} /^Requests\/sec/ {rps = $2} /^  Non-2xx/ {bad = $NF} /^  Socket errors/ {errors = 1}
      END {printf "rps=%.0f requests=%d non2xx=%d socket_errors=%d\n", rps, requests, bad, errors}')
  fi
  if [[ $(field non2xx "$result") != 0 || $(field socket_errors "$result") != 0 ]]; then
    echo "errors during the run on port $1: $result" >&2
    exit 1
  fi
  echo "$result"
}

# measure PID PORT CONNECTIONS [PATH]: "RPS CPU_US", the server's CPU time (user + system) per
# request beside its req/s: unlike req/s, it holds on a machine shared with other work.
measure() {
  local before after result
  before=$(cpu_ticks "$1")
  result=$(run_wrk "$2" "$3" "${4:-}")
  after=$(cpu_ticks "$1")
  echo "$(field rps "$result") $(cpu_us $((after - before)) "$(field requests "$result")")"
}

rows=()
# add_row LABEL CONNECTIONS [PATH]: nginx, then meshward, then beast.
add_row() {
  echo "$1: nginx, meshward, beast ..." >&2
  local nginx_rps meshward_rps meshward_cpu beast_rps beast_cpu
  nginx_rps=$(field rps "$(run_wrk "$nginx_port" "$2" "${3:-}")")
  read -r meshward_rps meshward_cpu <<<"$(measure "$meshward_pid" "$meshward_port" "$2" "${3:-}")"
  read -r beast_rps beast_cpu <<<"$(measure "$beast_pid" "$beast_port" "$2" "${3:-}")"
  rows+=("| $1 | $nginx_rps | $meshward_rps ($(ratio "$meshward_rps" "$nginx_rps")) | $beast_rps ($(ratio "$beast_rps" "$nginx_rps")) | $(ratio "$beast_rps" "$meshward_rps") | $meshward_cpu µs | $beast_cpu µs |")
}
add_row "4, mix" 4
add_row "16, mix" 16
add_row "4, GET /healthz (transport only)" 4 /healthz
audit_lines="meshward $(cat "$work"/meshward-audit.log* | wc -l), beast $(cat "$work"/beast-audit.log* | wc -l)"

results=$build/bench/transport-results.md
mkdir -p "$(dirname "$results")"
{
  echo "$(machine), load average at the start: $load_average"
  echo "command: bench/transport_beast/compare.sh $build $seconds (cluster: $pods pods, $destination_rules DestinationRules; meshward: cpp-httplib, default workers; beast: $threads threads on one io_context)"
  echo
  echo "wrk -t2, ${seconds} s per run, keep-alive TLS 1.3, in the order nginx, meshward, beast:"
  echo
  echo "| connections | nginx req/s | meshward (cpp-httplib) req/s (/ nginx) | beast req/s (/ nginx) | beast / meshward | meshward CPU / request | beast CPU / request |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "audit records written: $audit_lines"
} | tee "$results"
