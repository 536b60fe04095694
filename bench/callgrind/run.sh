#!/usr/bin/env bash
# Instruction counts per request, repeatable on a noisy machine: `meshward serve` under
# callgrind (the small bench/testdata cluster state, audit log to a file) answers bench/load's
# mix N times over one keep-alive TLS connection. Counted: everything cpp-httplib's per-request
# function does (read, parse, route, handler, TLS write) and, within it, the admission handler
# (decode, rules, audit record, response encoding). Prints one markdown row.
# Usage: bench/callgrind/run.sh BUILD_DIR [REQUESTS]   (needs valgrind: apt-get install -y valgrind)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$1
requests=${2:-400}
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind" >&2; exit 2; }
work=$(mktemp -d)
server=
trap '[[ -n $server ]] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

python3 bench/load/generate.py "$work/data" --pods 10 --destination-rules 10 >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
  -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# Counts the two functions separately (callgrind_annotate --inclusive), collecting only inside
# cpp-httplib's per-request function.
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" --collect-atstart=no \
  --toggle-collect='httplib::Server::process_request*' \
  "$build/meshward" serve --listen "127.0.0.1:$port" --metrics-listen 127.0.0.1:0 --workers 1 \
  --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" --audit-log "$work/audit.log" \
  --cluster-state bench/testdata/cluster-state.yaml 2>"$work/serve.log" &
server=$!
for _ in $(seq 600); do
  python3 - "$port" "$work/cert.pem" <<'PY' 2>/dev/null && break
import http.client, ssl, sys
c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ssl.create_default_context(cafile=sys.argv[2]), timeout=5)
c.request("GET", "/readyz"); sys.exit(0 if c.getresponse().status == 200 else 1)
PY
  sleep 0.2
done
python3 bench/callgrind/send_mix.py "$port" "$work/cert.pem" "$work/data/requests/mix.txt" "$requests"
kill -INT "$server"; wait "$server" || true
server=

annotate=$(callgrind_annotate --inclusive=yes "$work/callgrind.out" 2>/dev/null)
[[ -n ${MESHWARD_CALLGRIND_KEEP:-} ]] && cp "$work/callgrind.out" "$MESHWARD_CALLGRIND_KEEP"
total=$(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' <<<"$annotate")
handler=$(awk '/meshward::server::AdmissionHandler::handle\(/ {gsub(",", "", $1); print $1; exit}' <<<"$annotate")
# The readiness probes are counted too; they are GETs answered without the handler, a few
# thousand instructions each against the hundreds of thousands of a review.
echo "| $build | $requests | $((total / requests)) | $((handler / requests)) |"
