#!/usr/bin/env bash
# Fetches Flux's CRDs from the Flux controllers' Go modules (download only, no Go build) and
# copies them to a cache dir; prints that dir. The controller modules ship their CRDs in
# config/crd/bases. Versions are those one Flux release names in its manifests
# (github.com/fluxcd/flux2/v2 manifests/bases/*/kustomization.yaml), so the APIs agree.
# Usage: tools/flux-crds.sh [out-dir]   (default: ~/.cache/kube-drift/flux-crds/<flux version>)
set -euo pipefail

# Flux 2.9.5: the newest release the Go module proxy serves
# (go list -m -versions github.com/fluxcd/flux2/v2).
flux_version=v2.9.5
out="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-drift/flux-crds/$flux_version}"
modules=(
  github.com/fluxcd/source-controller@v1.9.5
  github.com/fluxcd/kustomize-controller@v1.9.5
  github.com/fluxcd/helm-controller@v1.6.4
)

# Test files running side by side call this at the same moment: one fetches while the others
# wait on the lock, then find its copy complete (without it, two cp into one directory race).
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9

if [[ -f "$out/.complete" ]] && [[ "$(cat "$out/.complete")" == "${modules[*]}" ]]; then
  echo "$out"
  exit 0
fi

mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for module in "${modules[@]}"; do
  # go mod download needs no go.mod for a module@version argument.
  dir="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$module" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  if [[ -z "$dir" || ! -d "$dir/config/crd/bases" ]]; then
    echo "flux-crds: could not download $module (or it has no config/crd/bases)" >&2
    exit 1
  fi
  cp "$dir"/config/crd/bases/*.yaml "$out/"
done
chmod u+w "$out"/*.yaml
echo "${modules[*]}" >"$out/.complete"
echo "$out"
