#!/usr/bin/env bash
# Installs the Debian 12 packages meshward needs to build, run and test. Idempotent: does
# nothing (not even apt-get update) when everything is already there.
set -euo pipefail

packages=(
  g++ clang libclang-rt-14-dev cmake make pkg-config
  libcpp-httplib-dev libssl-dev nlohmann-json3-dev libsimdjson-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libhowardhinnant-date-dev tzdata
  zlib1g-dev libbrotli-dev
  googletest libgtest-dev libbenchmark-dev
  openssl curl ca-certificates python3 prometheus
  golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev   # the chart test renderer
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
