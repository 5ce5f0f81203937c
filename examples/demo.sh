#!/usr/bin/env bash
# The demo: bring up the local control plane, apply the bundled example with kube-drift,
# drift it by hand the way people do, show kube-drift's report, converge it back, show it
# in sync. Run from the repository root: npm ci && npm run demo
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

KUBECONFIG_FILE="$PWD/.cluster/kubeconfig"
kd() { node dist/cli.js "$@" --kubeconfig "$KUBECONFIG_FILE" --target demo --path examples/demo; }
k() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Local control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)"
bash tools/cluster/up.sh

step "kube-drift apply: create the example from Git (examples/demo)"
kd apply --wait --timeout 90 || true
k -n demo rollout status deployment/web --timeout=90s

step "Drift it by hand: scale, label, edit a ConfigMap key, change the image, set an env var"
k -n demo scale deployment/web --replicas=5
k -n demo label deployment/web hotfix=true --overwrite
k -n demo patch configmap web-config --type merge -p '{"data":{"GREETING":"hello from a hand edit"}}'
k -n demo set image deployment/redis redis=redis:7.2
k -n demo set env deployment/web DEBUG=1
k -n demo patch secret web-credentials --type merge -p '{"stringData":{"password":"changed-by-hand"}}'

step "kube-drift diff: what differs from Git, field by field (exit status 1 = drift)"
set +e
kd diff
status=$?
set -e
echo "exit status: $status"

step "kube-drift apply: converge the cluster back to Git"
kd apply --wait --timeout 90 >/dev/null && echo "applied"

step "kube-drift diff again: in sync (exit status 0)"
kd diff
echo "exit status: $?"
