#!/usr/bin/env bash
# Fetches Argo CD's CRDs (Application, ApplicationSet, AppProject) from the Argo CD Go module
# (download only, no Go build) and copies them to a cache dir; prints that dir. The module
# ships them in manifests/crds, next to a kustomization.yaml that is left out.
# Usage: tools/argocd-crds.sh [out-dir]   (default: ~/.cache/kube-drift/argocd-crds/<version>)
set -euo pipefail

# Argo CD 3.6.1: the newest release the Go module proxy serves
# (go list -m -versions github.com/argoproj/argo-cd/v3).
module=github.com/argoproj/argo-cd/v3
version=v3.6.1
out="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-drift/argocd-crds/$version}"

# Test files running side by side call this at the same moment: one fetches while the others
# wait on the lock, then find its copy complete (without it, two cp into one directory race).
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9

if [[ -f "$out/.complete" ]] && [[ "$(cat "$out/.complete")" == "$module@$version" ]]; then
  echo "$out"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The module's go.mod asks for a newer Go than the machine may have. With GOTOOLCHAIN=local,
# go reports that as an error ("requires go >= ...") after it has downloaded the zip and
# checked it against the checksum database; only the zip is needed (no toolchain, no build).
json="$(cd "$work" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "$module@$version" || true)"
field() { sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}\$/\1/p" <<<"$json"; }
zip="$(field Zip)"
error="$(field Error)"
if [[ -z "$zip" || ! -f "$zip" || -z "$(field Sum)" ]] ||
  [[ -n "$error" && "$error" != *"requires go "* ]]; then
  echo "argocd-crds: could not download $module@$version: ${error:-no module zip}" >&2
  exit 1
fi

mkdir -p "$out"
# Module zips hold every file under <module>@<version>/.
unzip -q -o -j "$zip" "$module@$version/manifests/crds/*-crd.yaml" -d "$work/crds"
if ! compgen -G "$work/crds/*-crd.yaml" >/dev/null; then
  echo "argocd-crds: $module@$version has no manifests/crds/*-crd.yaml" >&2
  exit 1
fi
cp "$work"/crds/*-crd.yaml "$out/"
chmod u+w "$out"/*.yaml
echo "$module@$version" >"$out/.complete"
echo "$out"
