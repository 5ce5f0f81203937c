#!/usr/bin/env bash
# Starts the local control plane on 127.0.0.1: etcd, kube-apiserver (TLS, client-certificate
# and ServiceAccount-token auth, Node+RBAC authorization), kube-controller-manager,
# kube-scheduler, and kwok simulating one Ready node. Data, keys, kubeconfigs, logs and PIDs
# go under .cluster/ in the repository root. Writes .cluster/kubeconfig (admin) and
# .cluster/kubeconfig-readonly (a read-only ServiceAccount). Harmless when already up.
set -euo pipefail
# shellcheck source=tools/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

READONLY_NAMESPACE="kube-drift-system"
READONLY_NAME="kube-drift-readonly"

already_up() {
	local name
	for name in "${COMPONENTS[@]}"; do
		live_pid "$name" >/dev/null || return 1
	done
	[[ -f "$ADMIN_KUBECONFIG" && -f "$READONLY_KUBECONFIG" ]] || return 1
	[[ "$(kc get --raw /readyz 2>/dev/null)" == "ok" ]]
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

check_ports() {
	local port
	for port in "$ETCD_CLIENT_PORT" "$ETCD_PEER_PORT" "$APISERVER_PORT" "$CONTROLLER_MANAGER_PORT" "$SCHEDULER_PORT" "$KWOK_PORT"; do
		! port_in_use "$port" || die "port $port on $HOST is already in use; stop what listens there or move the cluster's ports with KUBE_DRIFT_*_PORT (see tools/cluster/lib.sh)"
	done
}

# ---- certificates -------------------------------------------------------------------

# sign NAME SUBJECT EXTENSIONS [CA]: a P-256 key and a certificate signed by the cluster CA
# (or the CA named).
sign() {
	local name="$1" subject="$2" extensions="$3" ca="${4:-ca}"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$PKI_DIR/$name.key" -out "$PKI_DIR/$name.csr" -subj "$subject" 2>/dev/null
	openssl x509 -req -in "$PKI_DIR/$name.csr" -CA "$PKI_DIR/$ca.crt" -CAkey "$PKI_DIR/$ca.key" \
		-CAcreateserial -days 3650 -sha256 -out "$PKI_DIR/$name.crt" \
		-extfile <(printf '%b' "$extensions") 2>/dev/null
	rm -f "$PKI_DIR/$name.csr"
}

client_cert() {
	sign "$1" "$2" 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n'
}

make_pki() {
	mkdir -p "$PKI_DIR"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -sha256 \
		-keyout "$PKI_DIR/ca.key" -out "$PKI_DIR/ca.crt" -subj "/CN=kube-drift-local-ca" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
	sign apiserver "/CN=kube-apiserver" \
		"basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:$HOST,IP:$SERVICE_CLUSTER_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n"
	client_cert admin "/O=system:masters/CN=kube-drift-admin"
	client_cert kube-controller-manager "/CN=system:kube-controller-manager"
	client_cert kube-scheduler "/CN=system:kube-scheduler"
	# kwok plays every kubelet at once (node status, leases, pod status, pod deletion), which
	# no single built-in role covers; it is the simulator, not a subject of the tests.
	client_cert kwok "/O=system:masters/CN=kwok"
	# The aggregation layer's front proxy has a CA of its own; without it the controller
	# manager and scheduler log, every few seconds, that the request-header CA is missing.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -sha256 \
		-keyout "$PKI_DIR/front-proxy-ca.key" -out "$PKI_DIR/front-proxy-ca.crt" -subj "/CN=kube-drift-front-proxy-ca" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
	sign front-proxy-client "/CN=front-proxy-client" \
		'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' front-proxy-ca
	# ServiceAccount tokens are signed with this key and verified with its public half.
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI_DIR/sa.key" 2>/dev/null
	openssl pkey -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null
	chmod 600 "$PKI_DIR"/*.key
}

# write_kubeconfig FILE USER CERT_NAME
write_kubeconfig() {
	local file="$1" user="$2" cert="$3" k
	k="$(kubectl_bin)"
	"$k" config --kubeconfig "$file" set-cluster kube-drift --server "$APISERVER_URL" \
		--certificate-authority "$PKI_DIR/ca.crt" --embed-certs >/dev/null
	"$k" config --kubeconfig "$file" set-credentials "$user" \
		--client-certificate "$PKI_DIR/$cert.crt" --client-key "$PKI_DIR/$cert.key" --embed-certs >/dev/null
	"$k" config --kubeconfig "$file" set-context kube-drift --cluster kube-drift --user "$user" >/dev/null
	"$k" config --kubeconfig "$file" use-context kube-drift >/dev/null
	chmod 600 "$file"
}

# ---- processes ----------------------------------------------------------------------

# start NAME ARGS...: runs $BIN_DIR/NAME in a session of its own (so it outlives this shell
# and its terminal), output to .cluster/logs/NAME.log, PID to .cluster/pids/NAME.pid.
start() {
	local name="$1"
	shift
	log "starting $name"
	setsid "$BIN_DIR/$name" "$@" >"$LOG_DIR/$name.log" 2>&1 </dev/null &
	printf '%s\n' "$!" >"$(pid_file "$name")"
}

fail_component() {
	local name="$1" why="$2"
	{
		printf '[cluster] ERROR: %s %s; its log is %s. Last lines:\n' "$name" "$why" "$LOG_DIR/$name.log"
		tail -n 20 "$LOG_DIR/$name.log" 2>/dev/null | sed 's/^/    /'
	} >&2
	exit 1
}

# wait_until NAME SECONDS WHAT COMMAND...: polls COMMAND until it succeeds; fails with NAME's
# log when NAME's process exits or time runs out.
wait_until() {
	local name="$1" timeout="$2" what="$3" start=$SECONDS
	shift 3
	until "$@" >/dev/null 2>&1; do
		live_pid "$name" >/dev/null || fail_component "$name" "exited before $what"
		((SECONDS - start < timeout)) || fail_component "$name" "did not get to $what within ${timeout}s"
		sleep 0.25
	done
}

healthz() { curl -fsS --max-time 2 -k "$1" | grep -qx ok; }

start_etcd() {
	start etcd \
		--name kube-drift \
		--data-dir "$CLUSTER_DIR/etcd" \
		--listen-client-urls "http://$HOST:$ETCD_CLIENT_PORT" \
		--advertise-client-urls "http://$HOST:$ETCD_CLIENT_PORT" \
		--listen-peer-urls "http://$HOST:$ETCD_PEER_PORT" \
		--initial-advertise-peer-urls "http://$HOST:$ETCD_PEER_PORT" \
		--initial-cluster "kube-drift=http://$HOST:$ETCD_PEER_PORT" \
		--unsafe-no-fsync \
		--log-level warn
	wait_until etcd 30 "health" sh -c "curl -fsS --max-time 2 http://$HOST:$ETCD_CLIENT_PORT/health | grep -q '\"health\":\"true\"'"
}

start_apiserver() {
	# No endpoint reconciler: the Endpoints API refuses loopback addresses, and nothing in
	# the cluster dials the kubernetes Service (there are no real Pods).
	start kube-apiserver \
		--etcd-servers "http://$HOST:$ETCD_CLIENT_PORT" \
		--bind-address "$HOST" \
		--advertise-address "$HOST" \
		--secure-port "$APISERVER_PORT" \
		--cert-dir "$CLUSTER_DIR/certs/kube-apiserver" \
		--tls-cert-file "$PKI_DIR/apiserver.crt" \
		--tls-private-key-file "$PKI_DIR/apiserver.key" \
		--client-ca-file "$PKI_DIR/ca.crt" \
		--requestheader-client-ca-file "$PKI_DIR/front-proxy-ca.crt" \
		--requestheader-allowed-names front-proxy-client \
		--requestheader-username-headers X-Remote-User \
		--requestheader-group-headers X-Remote-Group \
		--requestheader-extra-headers-prefix X-Remote-Extra- \
		--proxy-client-cert-file "$PKI_DIR/front-proxy-client.crt" \
		--proxy-client-key-file "$PKI_DIR/front-proxy-client.key" \
		--authorization-mode Node,RBAC \
		--enable-admission-plugins NodeRestriction \
		--service-account-issuer https://kubernetes.default.svc.cluster.local \
		--service-account-key-file "$PKI_DIR/sa.pub" \
		--service-account-signing-key-file "$PKI_DIR/sa.key" \
		--service-cluster-ip-range "$SERVICE_CIDR" \
		--endpoint-reconciler-type none \
		--allow-privileged \
		--profiling=false
	wait_until kube-apiserver 90 "/readyz ok" healthz "$APISERVER_URL/readyz"
}

start_controller_manager() {
	local kubeconfig="$CLUSTER_DIR/kubeconfig-kube-controller-manager"
	write_kubeconfig "$kubeconfig" system:kube-controller-manager kube-controller-manager
	start kube-controller-manager \
		--kubeconfig "$kubeconfig" \
		--authentication-kubeconfig "$kubeconfig" \
		--authorization-kubeconfig "$kubeconfig" \
		--bind-address "$HOST" \
		--secure-port "$CONTROLLER_MANAGER_PORT" \
		--cert-dir "$CLUSTER_DIR/certs/kube-controller-manager" \
		--service-account-private-key-file "$PKI_DIR/sa.key" \
		--root-ca-file "$PKI_DIR/ca.crt" \
		--use-service-account-credentials \
		--cluster-signing-cert-file "$PKI_DIR/ca.crt" \
		--cluster-signing-key-file "$PKI_DIR/ca.key" \
		--service-cluster-ip-range "$SERVICE_CIDR" \
		--leader-elect=false \
		--profiling=false
}

start_scheduler() {
	local kubeconfig="$CLUSTER_DIR/kubeconfig-kube-scheduler"
	write_kubeconfig "$kubeconfig" system:kube-scheduler kube-scheduler
	start kube-scheduler \
		--kubeconfig "$kubeconfig" \
		--authentication-kubeconfig "$kubeconfig" \
		--authorization-kubeconfig "$kubeconfig" \
		--bind-address "$HOST" \
		--secure-port "$SCHEDULER_PORT" \
		--cert-dir "$CLUSTER_DIR/certs/kube-scheduler" \
		--leader-elect=false \
		--profiling=false
}

start_kwok() {
	local kubeconfig="$CLUSTER_DIR/kubeconfig-kwok"
	write_kubeconfig "$kubeconfig" kwok kwok
	start kwok \
		--kubeconfig "$kubeconfig" \
		--config "$CLUSTER_TOOLS_DIR/kwok-stages.yaml" \
		--manage-all-nodes=false \
		--manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
		--server-address "$HOST:$KWOK_PORT" \
		--node-lease-duration-seconds 40
}

wait_components() {
	wait_until kube-controller-manager 60 "/healthz ok" healthz "https://$HOST:$CONTROLLER_MANAGER_PORT/healthz"
	wait_until kube-scheduler 60 "/healthz ok" healthz "https://$HOST:$SCHEDULER_PORT/healthz"
	wait_until kwok 60 "/healthz ok" healthz "http://$HOST:$KWOK_PORT/healthz"
}

# ---- objects ------------------------------------------------------------------------

create_fake_node() {
	kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $FAKE_NODE_NAME
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: $FAKE_NODE_NAME
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    type: kwok
# kwok's own defaults: the benchmarks put thousands of Pods on this one node, and a real
# node's 110-Pod limit would leave them Pending.
status:
  allocatable:
    cpu: 1k
    memory: 1Ti
    pods: 1M
  capacity:
    cpu: 1k
    memory: 1Ti
    pods: 1M
EOF
	wait_until kwok 60 "a Ready node $FAKE_NODE_NAME" \
		kc wait --for=condition=Ready "node/$FAKE_NODE_NAME" --timeout=5s
}

wait_default_service_account() {
	wait_until kube-controller-manager 60 "the default ServiceAccount in namespace default" \
		kc get serviceaccount default --namespace default
}

readonly_token() { kc get secret "$READONLY_NAME-token" -n "$READONLY_NAMESPACE" -o jsonpath='{.data.token}'; }
readonly_token_present() { [[ -n "$(readonly_token)" ]]; }

# A ServiceAccount that may read everything and change nothing, for permission tests. Its
# token comes from a service-account-token Secret, which does not expire.
write_readonly_kubeconfig() {
	kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $READONLY_NAMESPACE
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: $READONLY_NAME
  namespace: $READONLY_NAMESPACE
---
apiVersion: v1
kind: Secret
metadata:
  name: $READONLY_NAME-token
  namespace: $READONLY_NAMESPACE
  annotations:
    kubernetes.io/service-account.name: $READONLY_NAME
type: kubernetes.io/service-account-token
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: $READONLY_NAME
rules:
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["get", "list", "watch"]
- nonResourceURLs: ["*"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: $READONLY_NAME
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: $READONLY_NAME
subjects:
- kind: ServiceAccount
  name: $READONLY_NAME
  namespace: $READONLY_NAMESPACE
EOF
	wait_until kube-controller-manager 60 "a token in Secret $READONLY_NAMESPACE/$READONLY_NAME-token" readonly_token_present
	local token k tmp
	token="$(readonly_token | base64 -d)"
	k="$(kubectl_bin)"
	tmp="$READONLY_KUBECONFIG.tmp"
	"$k" config --kubeconfig "$tmp" set-cluster kube-drift --server "$APISERVER_URL" \
		--certificate-authority "$PKI_DIR/ca.crt" --embed-certs >/dev/null
	"$k" config --kubeconfig "$tmp" set-credentials "$READONLY_NAME" --token "$token" >/dev/null
	"$k" config --kubeconfig "$tmp" set-context kube-drift-readonly --cluster kube-drift \
		--user "$READONLY_NAME" --namespace default >/dev/null
	"$k" config --kubeconfig "$tmp" use-context kube-drift-readonly >/dev/null
	chmod 600 "$tmp"
	mv -f "$tmp" "$READONLY_KUBECONFIG"
}

on_failure() {
	log "startup failed; stopping what was started (logs stay in $LOG_DIR, run tools/cluster/down.sh to remove them)"
	stop_all
}

main() {
	local start_time=$SECONDS
	bash "$CLUSTER_TOOLS_DIR/install-deps.sh"
	if [[ -d "$CLUSTER_DIR" ]] && already_up; then
		log "already up: kubeconfig $ADMIN_KUBECONFIG"
		return
	fi
	if [[ -d "$CLUSTER_DIR" || -n "$(stray_pids)" ]]; then
		log "found a stopped or partly started cluster in $CLUSTER_DIR; removing it to start clean"
		bash "$CLUSTER_TOOLS_DIR/down.sh"
	fi
	bash "$CLUSTER_TOOLS_DIR/build.sh"
	check_ports

	start_time=$SECONDS
	mkdir -p "$CLUSTER_DIR" "$LOG_DIR" "$PID_DIR"
	trap on_failure EXIT
	make_pki
	write_kubeconfig "$ADMIN_KUBECONFIG" kube-drift-admin admin
	start_etcd
	start_apiserver
	start_controller_manager
	start_scheduler
	start_kwok
	wait_components
	create_fake_node
	wait_default_service_account
	write_readonly_kubeconfig
	trap - EXIT
	log "up in $(elapsed_since "$start_time"): $APISERVER_URL ($KUBE_VERSION), node $FAKE_NODE_NAME Ready"
	log "admin kubeconfig:     $ADMIN_KUBECONFIG"
	log "read-only kubeconfig: $READONLY_KUBECONFIG"
}

main "$@"
