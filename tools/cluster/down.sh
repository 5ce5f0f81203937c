#!/usr/bin/env bash
# Stops the local control plane and removes everything it kept under .cluster/ (data, keys,
# kubeconfigs, logs). Harmless when it is already down.
set -euo pipefail
# shellcheck source=tools/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
	local start=$SECONDS
	if [[ ! -d "$CLUSTER_DIR" && -z "$(stray_pids)" ]]; then
		log "already down"
		return
	fi
	stop_all
	[[ -z "$(stray_pids)" ]] || die "processes still running after SIGKILL: $(stray_pids | tr '\n' ' ')"
	rm -rf "$CLUSTER_DIR"
	log "down in $(elapsed_since "$start"); removed $CLUSTER_DIR"
}

main "$@"
