#!/usr/bin/env bash
# Installs, from Debian's packages, the commands the control plane scripts use, when any is
# missing. Idempotent and quiet: with everything present it changes nothing.
# Go (>= 1.26) is not among them: Debian's is too old; it comes with the machine.
set -euo pipefail
# shellcheck source=tools/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# command -> Debian package that provides it
declare -A PACKAGE_OF=(
	[openssl]=openssl
	[curl]=curl
	[setsid]=util-linux
	[sha256sum]=coreutils
	[git]=git
	# The SOPS tests make an OpenPGP key with gpg --batch.
	[gpg]=gnupg
	# tools/argocd-crds.sh takes Argo CD's CRDs out of the Go module's zip.
	[unzip]=unzip
)

main() {
	local cmd missing=()
	for cmd in "${!PACKAGE_OF[@]}"; do
		command -v "$cmd" >/dev/null || missing+=("${PACKAGE_OF[$cmd]}")
	done
	# Go fetches modules over HTTPS and needs the CA bundle.
	[[ -f /etc/ssl/certs/ca-certificates.crt ]] || missing+=(ca-certificates)
	# The benchmarks read CPU time and peak memory from GNU time (`time` alone is bash's keyword).
	[[ -x /usr/bin/time ]] || missing+=(time)
	if ((${#missing[@]} == 0)); then
		return
	fi
	log "installing ${missing[*]}"
	local sudo=()
	((EUID == 0)) || sudo=(sudo)
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq >/dev/null
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

main "$@"
