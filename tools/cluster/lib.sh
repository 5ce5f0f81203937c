# Shared settings and helpers for the local control plane scripts. Sourced, not run.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings are used by the scripts that source this file

CLUSTER_TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CLUSTER_TOOLS_DIR/../.." && pwd)"

# Versions. The Kubernetes release is the one tools/cluster/go.mod requires; etcd's is the one
# tools/cluster/etcd/go.mod requires; build.sh checks both agree with what is written here.
KUBE_VERSION="v1.35.4"
ETCD_VERSION="v3.6.16"
KWOK_VERSION="v0.8.0"
HELM_VERSION="v3.22.0"
# The tests encrypt their SOPS fixtures with the real sops and make age keys with age-keygen.
SOPS_VERSION="v3.13.3"
AGE_VERSION="v1.3.2"
# go-containerregistry's in-memory OCI registry: the tests push charts to it with helm push.
REGISTRY_VERSION="v0.22.1"

KUBE_DRIFT_CACHE="${KUBE_DRIFT_CACHE:-$HOME/.cache/kube-drift}"
BIN_DIR="$KUBE_DRIFT_CACHE/bin"
STAMP_DIR="$BIN_DIR/.stamps"

# Everything a running cluster owns lives here, and down.sh removes all of it.
CLUSTER_DIR="${KUBE_DRIFT_CLUSTER_DIR:-$REPO_ROOT/.cluster}"
PKI_DIR="$CLUSTER_DIR/pki"
LOG_DIR="$CLUSTER_DIR/logs"
PID_DIR="$CLUSTER_DIR/pids"
ADMIN_KUBECONFIG="$CLUSTER_DIR/kubeconfig"
READONLY_KUBECONFIG="$CLUSTER_DIR/kubeconfig-readonly"

# Ports kept away from the usual ones (6443, 2379/2380, 10257, 10259, 10250) so the local
# control plane can sit beside a real one.
HOST="127.0.0.1"
APISERVER_PORT="${KUBE_DRIFT_APISERVER_PORT:-16443}"
ETCD_CLIENT_PORT="${KUBE_DRIFT_ETCD_CLIENT_PORT:-12379}"
ETCD_PEER_PORT="${KUBE_DRIFT_ETCD_PEER_PORT:-12380}"
CONTROLLER_MANAGER_PORT="${KUBE_DRIFT_CONTROLLER_MANAGER_PORT:-16257}"
SCHEDULER_PORT="${KUBE_DRIFT_SCHEDULER_PORT:-16259}"
KWOK_PORT="${KUBE_DRIFT_KWOK_PORT:-16250}"
APISERVER_URL="https://$HOST:$APISERVER_PORT"

SERVICE_CIDR="10.96.0.0/16"
SERVICE_CLUSTER_IP="10.96.0.1"
FAKE_NODE_NAME="kwok-node-0"

# Start order; stop order is the reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { printf '[cluster] %s\n' "$*" >&2; }
die() {
	printf '[cluster] ERROR: %s\n' "$*" >&2
	exit 1
}

# kubectl from the cache (built at the server's release by build.sh), else the machine's.
kubectl_bin() {
	if [[ -x "$BIN_DIR/kubectl" ]]; then
		printf '%s\n' "$BIN_DIR/kubectl"
	else
		command -v kubectl || die "kubectl not found: run tools/cluster/build.sh"
	fi
}

kc() { "$(kubectl_bin)" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }

pid_file() { printf '%s/%s.pid\n' "$PID_DIR" "$1"; }

# The recorded PID of a component, if that process is still alive.
live_pid() {
	local file pid
	file="$(pid_file "$1")"
	[[ -f "$file" ]] || return 1
	pid="$(<"$file")"
	[[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
	# A process that died but is not yet reaped still answers kill -0.
	[[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]] || return 1
	printf '%s\n' "$pid"
}

# PIDs of any process still running one of our binaries against this cluster's directory,
# recorded or not (a crashed up.sh can leave one behind before its PID was written).
stray_pids() {
	local dir cmdline exe
	for dir in /proc/[0-9]*; do
		exe="$(readlink "$dir/exe" 2>/dev/null)" || continue
		[[ "$exe" == "$BIN_DIR/"* ]] || continue
		cmdline="$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null)" || continue
		[[ "$cmdline" == *"$CLUSTER_DIR/"* ]] || continue
		printf '%s\n' "${dir#/proc/}"
	done
}

elapsed_since() { printf '%ss' "$((SECONDS - $1))"; }

# Stops every process this cluster started: the recorded PIDs, in three waves (the API
# server's clients together, then the API server, then etcd) with TERM and then KILL after
# a grace period; then any stray process of ours still running.
stop_all() {
	stop_components kwok kube-scheduler kube-controller-manager
	stop_components kube-apiserver
	stop_components etcd
	local strays
	strays="$(stray_pids)"
	if [[ -n "$strays" ]]; then
		log "stopping stray processes: $(tr '\n' ' ' <<<"$strays")"
		# shellcheck disable=SC2086 # one PID per word
		stop_pids $strays
	fi
}

stop_components() {
	local name pid pids=() names=() started=$SECONDS
	for name in "$@"; do
		if pid="$(live_pid "$name")"; then
			pids+=("$pid")
			names+=("$name")
		fi
	done
	if ((${#pids[@]} > 0)); then
		stop_pids "${pids[@]}"
		log "stopped ${names[*]} in $(elapsed_since "$started")"
	fi
	for name in "$@"; do
		rm -f "$(pid_file "$name")"
	done
}

# TERM, then KILL whatever is still running after 10 seconds.
stop_pids() {
	local pid waited=0 alive
	kill -TERM "$@" 2>/dev/null || true
	while :; do
		alive=()
		for pid in "$@"; do
			! kill -0 "$pid" 2>/dev/null || alive+=("$pid")
		done
		((${#alive[@]} > 0)) || return 0
		if ((waited >= 100)); then
			log "still running after 10s, killing: ${alive[*]}"
			kill -KILL "${alive[@]}" 2>/dev/null || true
			return 0
		fi
		sleep 0.1
		waited=$((waited + 1))
	done
}
