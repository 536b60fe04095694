#!/usr/bin/env bash
# Renders the chart's Grafana dashboard from real metrics into docs/dashboard.png: meshward serves
# with its live cache on the Kubernetes API stand-in, Debian's Prometheus scrapes it every second
# while a traffic driver sends allowed, denied, break-glass and malformed reviews, breaks the policy
# file once and drops the cache's watches; then every panel's query (the same PromQL as
# charts/meshward/files/dashboards/meshward.json) is evaluated by that Prometheus and plotted with
# matplotlib. Usage: bench/dashboard/render.sh BUILD_DIR [SECONDS]   (needs: prometheus,
# python3-matplotlib, python3-yaml; a build with meshward and test/fake_kube_apiserver)
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:?usage: bench/dashboard/render.sh BUILD_DIR [SECONDS]}
seconds=${2:-120}
exec /usr/bin/python3 bench/dashboard/render.py --build "$build" --seconds "$seconds" \
  --dashboard charts/meshward/files/dashboards/meshward.json --out docs/dashboard.png
