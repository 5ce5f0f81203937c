#!/usr/bin/env bash
# Builds the local control plane's binaries into $KUBE_DRIFT_CACHE/bin (default
# ~/.cache/kube-drift/bin), each from the Go module proxy, and skips any already built from
# the same inputs. A stamp per binary records its version and a hash of its build inputs
# (module files, ldflags, Go version), so bumping a version rebuilds only what changed.
# Builds run one after another: the machine has two cores.
set -euo pipefail
# shellcheck source=tools/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Never ask the network for a toolchain: the machine's Go builds everything.
export GOTOOLCHAIN=local

# The same version stamps as the release build, so /version reports the real release.
KUBE_MINOR="$(cut -d. -f2 <<<"$KUBE_VERSION")"
KUBE_LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$KUBE_MINOR -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/component-base/version.buildDate=2026-01-01T00:00:00Z -X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$KUBE_MINOR"

check_go() {
	command -v go >/dev/null || die "Go is not installed; the control plane is built from the Go module proxy and needs Go >= 1.26 (at /usr/local/go on this machine kind)"
	GO_VERSION="$(go env GOVERSION)"
	local minor
	minor="$(sed -E 's/^go1\.([0-9]+).*/\1/' <<<"$GO_VERSION")"
	((minor >= 26)) || die "Go $GO_VERSION is too old: etcd $ETCD_VERSION, kwok and helm need Go >= 1.26"
}

# The module files must name the same releases as lib.sh, or stamps would lie.
check_versions() {
	grep -qE "^\s*k8s.io/kubernetes $KUBE_VERSION\b" "$CLUSTER_TOOLS_DIR/go.mod" ||
		die "tools/cluster/go.mod does not require k8s.io/kubernetes $KUBE_VERSION (lib.sh KUBE_VERSION)"
	grep -qE "^\s*go.etcd.io/etcd/server/v3 $ETCD_VERSION\b" "$CLUSTER_TOOLS_DIR/etcd/go.mod" ||
		die "tools/cluster/etcd/go.mod does not require go.etcd.io/etcd/server/v3 $ETCD_VERSION (lib.sh ETCD_VERSION)"
}

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# stamp_ok NAME EXPECTED: the binary exists and was built from exactly these inputs.
stamp_ok() {
	[[ -x "$BIN_DIR/$1" && -f "$STAMP_DIR/$1" && "$(<"$STAMP_DIR/$1")" == "$2" ]]
}

write_stamp() { printf '%s' "$2" >"$STAMP_DIR/$1"; }

# Builds into a scratch folder and moves into place, so an interrupted build never leaves
# a half-written binary next to a stamp.
SCRATCH=""
new_scratch() {
	SCRATCH="$(mktemp -d "$BIN_DIR/.build.XXXXXX")"
}
cleanup() { [[ -z "$SCRATCH" ]] || rm -rf "$SCRATCH"; }
trap cleanup EXIT

built_in() { log "built $1 in $2"; }

# Runs a go command without its "go: downloading" chatter (errors still show).
go_quiet() { "$@" 2> >(grep -v '^go: downloading' >&2); }

build_kube() {
	local names=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
	local stamp start name all_ok=1
	stamp="kubernetes=$KUBE_VERSION go=$GO_VERSION cgo=$(go env CGO_ENABLED) inputs=$(hash_of "$CLUSTER_TOOLS_DIR/go.mod" "$CLUSTER_TOOLS_DIR/go.sum" <(printf '%s' "$KUBE_LDFLAGS"))"
	for name in "${names[@]}"; do
		stamp_ok "$name" "$stamp" || all_ok=0
	done
	if ((all_ok)); then
		log "kubernetes $KUBE_VERSION binaries up to date"
		return
	fi
	# The three control plane binaries in one build (shared packages compile once), then kubectl.
	log "building kube-apiserver, kube-controller-manager, kube-scheduler $KUBE_VERSION (a cold build takes tens of minutes)"
	start=$SECONDS
	new_scratch
	(cd "$CLUSTER_TOOLS_DIR" && go_quiet go build -trimpath -ldflags "$KUBE_LDFLAGS" -o "$SCRATCH/" \
		k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
	built_in "kube-apiserver, kube-controller-manager, kube-scheduler" "$(elapsed_since "$start")"
	log "building kubectl $KUBE_VERSION"
	start=$SECONDS
	(cd "$CLUSTER_TOOLS_DIR" && go_quiet go build -trimpath -ldflags "$KUBE_LDFLAGS" -o "$SCRATCH/" k8s.io/kubernetes/cmd/kubectl)
	built_in kubectl "$(elapsed_since "$start")"
	for name in "${names[@]}"; do
		mv -f "$SCRATCH/$name" "$BIN_DIR/$name"
		write_stamp "$name" "$stamp"
	done
	cleanup
}

build_etcd() {
	local stamp start
	stamp="etcd=$ETCD_VERSION go=$GO_VERSION cgo=$(go env CGO_ENABLED) inputs=$(hash_of "$CLUSTER_TOOLS_DIR/etcd/go.mod" "$CLUSTER_TOOLS_DIR/etcd/go.sum")"
	if stamp_ok etcd "$stamp"; then
		log "etcd $ETCD_VERSION up to date"
		return
	fi
	log "building etcd $ETCD_VERSION"
	start=$SECONDS
	new_scratch
	(cd "$CLUSTER_TOOLS_DIR/etcd" && go_quiet go build -trimpath -ldflags "-s -w" -o "$SCRATCH/etcd" go.etcd.io/etcd/server/v3)
	mv -f "$SCRATCH/etcd" "$BIN_DIR/etcd"
	write_stamp etcd "$stamp"
	cleanup
	built_in etcd "$(elapsed_since "$start")"
}

build_kwok() {
	local stamp start
	stamp="kwok=$KWOK_VERSION go=$GO_VERSION cgo=$(go env CGO_ENABLED)"
	if stamp_ok kwok "$stamp"; then
		log "kwok $KWOK_VERSION up to date"
		return
	fi
	log "building kwok $KWOK_VERSION"
	start=$SECONDS
	new_scratch
	GOBIN="$SCRATCH" go_quiet go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
	mv -f "$SCRATCH/kwok" "$BIN_DIR/kwok"
	write_stamp kwok "$stamp"
	cleanup
	built_in kwok "$(elapsed_since "$start")"
}

build_helm() {
	local stamp start gomod client_go k8s_minor ldflags
	# Helm's Makefile stamps the Kubernetes version its client libraries speak; without it
	# `helm template` reports .Capabilities.KubeVersion as v1.20 and charts that require a
	# newer cluster refuse to render.
	gomod="$(go_quiet go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -nE 's/^\s*"GoMod": "(.*)",?$/\1/p')"
	client_go="$(sed -nE 's/^\s*k8s.io\/client-go v0\.([0-9]+)\..*/\1/p' "$gomod")"
	[[ -n "$client_go" ]] || die "could not read k8s.io/client-go's version from helm $HELM_VERSION's go.mod ($gomod)"
	k8s_minor="$client_go"
	ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$k8s_minor -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$k8s_minor"
	stamp="helm=$HELM_VERSION go=$GO_VERSION cgo=$(go env CGO_ENABLED) inputs=$(printf '%s' "$ldflags" | sha256sum | cut -c1-16)"
	if stamp_ok helm "$stamp"; then
		log "helm $HELM_VERSION up to date"
		return
	fi
	log "building helm $HELM_VERSION"
	start=$SECONDS
	new_scratch
	GOBIN="$SCRATCH" go_quiet go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
	mv -f "$SCRATCH/helm" "$BIN_DIR/helm"
	write_stamp helm "$stamp"
	cleanup
	built_in helm "$(elapsed_since "$start")"
}

# go_install NAME VERSION PACKAGE: a plain `go install` of one command, cached by version.
go_install() {
	local name="$1" version="$2" package="$3" stamp start
	stamp="$name=$version go=$GO_VERSION cgo=$(go env CGO_ENABLED)"
	if stamp_ok "$name" "$stamp"; then
		log "$name $version up to date"
		return
	fi
	log "building $name $version"
	start=$SECONDS
	new_scratch
	GOBIN="$SCRATCH" go_quiet go install -trimpath -ldflags "-s -w" "$package@$version"
	mv -f "$SCRATCH/$name" "$BIN_DIR/$name"
	write_stamp "$name" "$stamp"
	cleanup
	built_in "$name" "$(elapsed_since "$start")"
}

# The tests' encryption tools: fixtures are encrypted by the real sops, never by hand.
build_sops() { go_install sops "$SOPS_VERSION" github.com/getsops/sops/v3/cmd/sops; }
build_age_keygen() { go_install age-keygen "$AGE_VERSION" filippo.io/age/cmd/age-keygen; }

# go-containerregistry's registry: the OCI tests push charts to it with helm push.
build_registry() { go_install registry "$REGISTRY_VERSION" github.com/google/go-containerregistry/cmd/registry; }

main() {
	local start=$SECONDS
	check_go
	check_versions
	mkdir -p "$BIN_DIR" "$STAMP_DIR"
	build_kube
	build_etcd
	build_kwok
	build_helm
	build_sops
	build_age_keygen
	build_registry
	log "binaries ready in $BIN_DIR ($(elapsed_since "$start"))"
}

main "$@"
