# What bench/load/run.sh and bench/transport_beast/compare.sh share, sourced by both from the
# repository root: tool checks, the build, a work directory whose processes stop on exit, the
# generated cluster + request mix + certificate, the API stand-in, and nginx with a fixed answer.
# Expects $build, $pods and $destination_rules to be set.

load=bench/load

for tool in wrk nginx openssl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y wrk nginx-light" >&2; exit 2; }
done
nginx_binary=$(command -v nginx)

# build_targets TARGET...: a RelWithDebInfo build of what the benchmark runs.
build_targets() {
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j "$(nproc)" --target "$@" >/dev/null
}

work=$(mktemp -d)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; done
  pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
field() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
ratio() { awk -v m="$1" -v n="$2" 'BEGIN {printf "%.0f %%", 100 * m / n}'; }
machine() {
  echo "$(date -u '+%F %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(uname -r), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $("$nginx_binary" -v 2>&1 | cut -d' ' -f3)"
}

# generate_data: the cluster and the mix under $work/data ($mix), a self-signed pair ($tls flags).
generate_data() {
  echo "generating $pods pods and $destination_rules DestinationRules ..." >&2
  python3 "$load/generate.py" "$work/data" --pods "$pods" --destination-rules "$destination_rules"
  mix=$work/data/requests/mix.txt
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
  tls=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
}

# start_fake_apiserver: the API stand-in holding the generated cluster (kubeconfig
# $work/fake/kubeconfig).
start_fake_apiserver() {
  mkdir -p "$work/fake"
  "$build/test/fake_kube_apiserver" --dir "$work/fake" >"$work/fake/started" 2>"$work/fake/stderr" &
  pids+=($!)
  for _ in $(seq 200); do [[ -s $work/fake/started ]] && break; sleep 0.05; done
  local control_port
  control_port=$(sed -n 's/.*"control_port":\([0-9]*\).*/\1/p' "$work/fake/started")
  python3 "$load/apply_cluster_state.py" "$control_port" "$work/data/cluster-state"
}

# cpu_ticks PID: user + system clock ticks so far of PID and its children (nginx's workers).
cpu_ticks() {
  local total=0 process ticks
  for process in "$1" $(pgrep -P "$1" || true); do
    ticks=$(awk '{print $14 + $15}' "/proc/$process/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo "$total"
}
# cpu_us TICKS REQUESTS: CPU microseconds per request.
cpu_us() { awk -v ticks="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f\n", 1e6 * ticks / hz / n}'; }

# start_nginx: nginx answering every POST with a fixed AdmissionReview over the same pair
# ($nginx_port, $nginx_pid: the master, whose children are the workers).
start_nginx() {
  nginx_port=$(free_port)
  mkdir -p "$work/nginx"
  sed -e "s|@WORK@|$work/nginx|g" -e "s|@PORT@|$nginx_port|g" -e "s|@CERT@|$work/cert.pem|g" \
    -e "s|@KEY@|$work/key.pem|g" "$load/nginx.conf.in" >"$work/nginx/nginx.conf"
  "$nginx_binary" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
  nginx_pid=$!
  pids+=("$nginx_pid")
  for _ in $(seq 100); do
    curl -sf --cacert "$work/cert.pem" "https://127.0.0.1:$nginx_port/" -d '{}' >/dev/null && break
    sleep 0.05
  done
}
