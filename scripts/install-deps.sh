#!/usr/bin/env bash
# Installs the Debian 12 packages meshward needs to build, run and test, then real Helm and kubectl
# for the chart tests (scripts/install-helm.sh, from the npm registry). Idempotent: does nothing
# (not even apt-get update) when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ clang libclang-rt-14-dev cmake make pkg-config
  libcpp-httplib-dev libssl-dev nlohmann-json3-dev libsimdjson-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libhowardhinnant-date-dev tzdata
  zlib1g-dev libbrotli-dev
  googletest libgtest-dev libbenchmark-dev
  openssl curl ca-certificates python3 python3-yaml prometheus
  iproute2   # ss: the flood test reads the listeners' backlog
  unzip   # Helm and kubectl come zipped in an npm package
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# npm may come with another Node.js build than Debian's: only a missing npm command is installed.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

scripts/install-helm.sh
