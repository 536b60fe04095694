#!/usr/bin/env bash
# The "run" command: installs what is missing, builds, and serves meshward on its built-in
# defaults (HTTPS on 127.0.0.1:8443 with a generated certificate, metrics on 127.0.0.1:9090).
# Extra arguments go to `meshward serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh build meshward
exec build/meshward serve "$@"
