#!/usr/bin/env bash
# A second kube-apiserver on the local control plane, for fault tests that must stop, kill or
# throttle an API server without touching the shared one every other test uses. It runs with
# the shared server's own command line (same etcd, certificates and flags; read from /proc,
# so it follows whatever up.sh started), on another port and cert directory.
#
#   extra-apiserver.sh start PORT [kube-apiserver flags...]   start it, wait for /readyz
#   extra-apiserver.sh stop PORT                              TERM, then KILL after 10s
#   extra-apiserver.sh kill PORT                              KILL at once (a crash)
#
# start writes .cluster/kubeconfig-extra-PORT (admin, that server). Extra flags are passed
# on, e.g. --enable-priority-and-fairness=false --max-requests-inflight=1. Every request from
# a user outside system: is audited (metadata only) to .cluster/logs/kube-apiserver-extra-PORT-audit.log,
# so a test can act when the requests it waits for have arrived. start is harmless when that
# server is already up; the process is recorded under .cluster/pids, and down.sh stops it too.
set -euo pipefail
# shellcheck source=tools/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { die "usage: $0 start PORT [kube-apiserver flags...] | stop PORT | kill PORT"; }

[[ $# -ge 2 ]] || usage
COMMAND="$1"
PORT="$2"
shift 2
[[ "$PORT" =~ ^[0-9]+$ ]] || die "PORT must be a number, got \"$PORT\""
[[ "$PORT" != "$APISERVER_PORT" ]] || die "port $PORT is the shared kube-apiserver's; pick another"

NAME="kube-apiserver-extra-$PORT"
URL="https://$HOST:$PORT"
KUBECONFIG_FILE="$CLUSTER_DIR/kubeconfig-extra-$PORT"
AUDIT_POLICY="$CLUSTER_DIR/audit-policy-extra.yaml"
AUDIT_LOG="$LOG_DIR/$NAME-audit.log"

healthz() { curl -fsS --max-time 2 -k "$1" 2>/dev/null | grep -qx ok; }

write_kubeconfig() {
	local k
	k="$(kubectl_bin)"
	"$k" config --kubeconfig "$KUBECONFIG_FILE" set-cluster kube-drift-extra --server "$URL" \
		--certificate-authority "$PKI_DIR/ca.crt" --embed-certs >/dev/null
	"$k" config --kubeconfig "$KUBECONFIG_FILE" set-credentials kube-drift-admin \
		--client-certificate "$PKI_DIR/admin.crt" --client-key "$PKI_DIR/admin.key" --embed-certs >/dev/null
	"$k" config --kubeconfig "$KUBECONFIG_FILE" set-context kube-drift-extra --cluster kube-drift-extra \
		--user kube-drift-admin >/dev/null
	"$k" config --kubeconfig "$KUBECONFIG_FILE" use-context kube-drift-extra >/dev/null
	chmod 600 "$KUBECONFIG_FILE"
}

write_audit_policy() {
	# Users named system:* (controllers, kwok's nodes, the server itself) are not audited:
	# the log is for the requests a test sends.
	cat >"$AUDIT_POLICY" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  userGroups: ["system:nodes", "system:serviceaccounts:kube-system"]
- level: None
  users: ["system:apiserver", "system:kube-controller-manager", "system:kube-scheduler", "kwok"]
- level: None
  nonResourceURLs: ["/readyz*", "/healthz*", "/livez*"]
- level: Metadata
EOF
}

start_extra() {
	if live_pid "$NAME" >/dev/null && healthz "$URL/readyz"; then
		[[ -f "$KUBECONFIG_FILE" ]] || write_kubeconfig
		log "$NAME already up: kubeconfig $KUBECONFIG_FILE"
		return
	fi
	healthz "$APISERVER_URL/readyz" || die "the shared kube-apiserver at $APISERVER_URL is not ready: run tools/cluster/up.sh"
	! (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null || die "port $PORT on $HOST is already in use"
	mkdir -p "$LOG_DIR" "$PID_DIR" "$CLUSTER_DIR/certs/$NAME"
	write_audit_policy
	local start_time=$SECONDS
	log "starting $NAME on $URL"
	# The shared server's own flags (whichever up.sh started it), with this port and cert
	# directory, then the audit log and the caller's flags.
	local shared_pid args=() arg skip=""
	shared_pid="$(live_pid kube-apiserver)" || die "the shared kube-apiserver is not running: run tools/cluster/up.sh"
	while IFS= read -r -d '' arg; do
		if [[ -n "$skip" ]]; then
			args+=("$skip")
			skip=""
			continue
		fi
		case "$arg" in
		--secure-port) args+=("$arg") && skip="$PORT" ;;
		--cert-dir) args+=("$arg") && skip="$CLUSTER_DIR/certs/$NAME" ;;
		--secure-port=* | --cert-dir=*) die "unexpected flag form $arg in the shared kube-apiserver's command line" ;;
		*) args+=("$arg") ;;
		esac
	done <"/proc/$shared_pid/cmdline"
	[[ "${args[0]}" == "$BIN_DIR/kube-apiserver" ]] || die "pid $shared_pid is not $BIN_DIR/kube-apiserver"
	setsid "${args[@]}" \
		--audit-policy-file "$AUDIT_POLICY" \
		--audit-log-path "$AUDIT_LOG" \
		--audit-log-maxsize 100 \
		"$@" \
		>>"$LOG_DIR/$NAME.log" 2>&1 </dev/null &
	printf '%s\n' "$!" >"$(pid_file "$NAME")"
	write_kubeconfig
	local waited=0
	until healthz "$URL/readyz"; do
		if ! live_pid "$NAME" >/dev/null; then
			printf '[cluster] ERROR: %s exited before /readyz ok; its log is %s. Last lines:\n' "$NAME" "$LOG_DIR/$NAME.log" >&2
			tail -n 20 "$LOG_DIR/$NAME.log" | sed 's/^/    /' >&2
			exit 1
		fi
		((waited < 360)) || die "$NAME did not get to /readyz ok within 90s; its log is $LOG_DIR/$NAME.log"
		sleep 0.25
		waited=$((waited + 1))
	done
	log "$NAME up in $(elapsed_since "$start_time"): kubeconfig $KUBECONFIG_FILE"
}

stop_extra() {
	local signal="$1" pid
	if pid="$(live_pid "$NAME")"; then
		if [[ "$signal" == KILL ]]; then
			log "killing $NAME (pid $pid)"
			kill -KILL "$pid" 2>/dev/null || true
			while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
		else
			log "stopping $NAME (pid $pid)"
			kill -TERM "$pid" 2>/dev/null || true
			local waited=0
			while kill -0 "$pid" 2>/dev/null; do
				((waited < 100)) || {
					kill -KILL "$pid" 2>/dev/null || true
					break
				}
				sleep 0.1
				waited=$((waited + 1))
			done
		fi
	else
		log "$NAME is not running"
	fi
	rm -f "$(pid_file "$NAME")"
}

case "$COMMAND" in
start) start_extra "$@" ;;
stop) stop_extra TERM ;;
kill) stop_extra KILL ;;
*) usage ;;
esac
