// No half-applied plan: when the API server refuses one object's dry-run (forbidden, an
// admission policy, invalid, an immutable field without force), nothing of the plan is
// written and every object is reported skipped with why. Against the local control plane.
// Each refused object exists already, made by hand (kubectl owns fields of it): taking those
// fields over would not make the server accept it, so it is no reason to go ahead.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { DesiredObject, KubeObject } from '../../../src/model.ts';
import type { RemediationResult } from '../../../src/remediate/index.ts';
import { readInventory } from '../../../src/remediate/inventory.ts';
import { rejectLabelledConfigMaps } from '../../support/admission-policy.ts';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  type TestNamespace,
  waitFor,
  withNamespace,
} from '../../support/cluster.ts';
import {
  actions,
  type Connected,
  configMap,
  connect,
  converge,
  newRun,
  type Run,
  uniqueTarget,
} from './support.ts';

const REJECT_LABEL = 'kube-drift.dev/test-refuse';

function desired(object: KubeObject): DesiredObject {
  return { object, source: { file: 'inline.yaml', line: 1 } };
}

function deployment(namespace: string, name: string, replicas: number): DesiredObject {
  return desired({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
      },
    },
  });
}

function job(namespace: string, image: string): DesiredObject {
  return desired({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'refuse-job', namespace },
    spec: {
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'job', image }] } },
    },
  });
}

describe('a plan with a refused dry-run is not applied at all', () => {
  let ns: TestNamespace;
  let conn: Connected;
  let dir: string;
  const policy = `kube-drift-refuse-${process.pid}`;
  before(async () => {
    ns = await withNamespace('remediate-refuse');
    conn = await connect();
    dir = mkdtempSync(join(tmpdir(), 'kube-drift-refuse-'));
  });
  after(async () => {
    conn?.close();
    await kubectl(['delete', 'validatingadmissionpolicybinding', policy, '--ignore-not-found']);
    await kubectl(['delete', 'validatingadmissionpolicy', policy, '--ignore-not-found']);
    await kubectl(['delete', 'clusterrolebinding,clusterrole', `${ns?.name}-refuse`, '--ignore-not-found']);
    await ns?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const exists = async (kind: string, name: string) =>
    (await kubectl(['get', `${kind}/${name}`, '-n', ns.name])).code === 0;

  /** Every object skipped with the refusal, the refused one in the errors, no inventory. */
  async function assertNothingApplied(run: Run, result: RemediationResult, subject: string, why: RegExp) {
    assert.equal(result.changeSet.errors.length, 1, JSON.stringify(result.changeSet.errors));
    assert.equal(result.changeSet.errors[0].object, subject);
    for (const entry of result.changeSet.entries) {
      assert.equal(entry.action, 'skipped', `${entry.ref.name} was ${entry.action}`);
      assert.match(entry.note ?? '', /^not applied: the plan has 1 error \(/);
      assert.match(entry.note ?? '', why);
    }
    assert.equal(result.driftRemaining, true);
    assert.equal((await readInventory(conn.cluster, run.target, run.inventoryNamespace)).found, false);
  }

  it('a validation error', async () => {
    const run = newRun(uniqueTarget('invalid'), ns.name);
    await kubectlOk(['create', 'deployment', 'negative', '--image=registry.example/app:1', '-n', ns.name]);
    const { result } = await converge(
      run,
      [configMap(ns.name, 'invalid-ok', { a: '1' }), deployment(ns.name, 'negative', -1)],
      conn.cluster,
    );
    await assertNothingApplied(
      run,
      result,
      `Deployment/${ns.name}/negative`,
      new RegExp(`Deployment/${ns.name}/negative: the API server finds it invalid .*\\(spec\\.replicas\\)`),
    );
    assert.deepEqual(actions(result.changeSet), ['ConfigMap/invalid-ok skipped']);
    assert.equal(await exists('configmap', 'invalid-ok'), false, 'half of the plan was applied');
  });

  it('an admission denial (ValidatingAdmissionPolicy)', async () => {
    await kubectlOk(['apply', '-f', '-'], {
      input: rejectLabelledConfigMaps(policy, ns.name, REJECT_LABEL, 'refusal test'),
    });
    await waitFor(
      async () =>
        (
          await kubectl(['apply', '--dry-run=server', '-f', '-'], {
            input: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe, namespace: ${ns.name}, labels: {${REJECT_LABEL}: "true"}}\n`,
          })
        ).code !== 0,
      30_000,
      `ValidatingAdmissionPolicy ${policy} to refuse a labelled ConfigMap`,
    );
    const run = newRun(uniqueTarget('admission'), ns.name);
    const refused = configMap(ns.name, 'admission-refused', { a: '1' });
    refused.object.metadata.labels = { [REJECT_LABEL]: 'true' };
    await kubectlOk(['create', 'configmap', 'admission-refused', '--from-literal=a=0', '-n', ns.name]);
    const { result } = await converge(
      run,
      [configMap(ns.name, 'admission-ok', { a: '1' }), refused],
      conn.cluster,
    );
    await assertNothingApplied(
      run,
      result,
      `ConfigMap/${ns.name}/admission-refused`,
      /admission-refused: the API server (finds it invalid|forbids it)/,
    );
    assert.match(result.changeSet.errors[0].message, new RegExp(`ValidatingAdmissionPolicy '${policy}'`));
    assert.equal(await exists('configmap', 'admission-ok'), false, 'half of the plan was applied');
  });

  it('an immutable field without force; with force, the whole plan', async () => {
    const run = newRun(uniqueTarget('immutable'), ns.name);
    await converge(run, [job(ns.name, 'registry.example/job:1')], conn.cluster);
    const changed = [job(ns.name, 'registry.example/job:2'), configMap(ns.name, 'immutable-ok', { a: '1' })];
    const { result } = await converge(run, changed, conn.cluster);
    assert.equal(result.changeSet.errors.length, 1);
    assert.match(
      result.changeSet.errors[0].message,
      new RegExp(
        `^Job/${ns.name}/refuse-job: immutable field spec\\.template cannot be changed in place .* Set force to delete and recreate it, or change it back in Git\\.$`,
      ),
    );
    assert.deepEqual(actions(result.changeSet), ['ConfigMap/immutable-ok skipped']);
    assert.match(result.changeSet.entries[0].note ?? '', /an immutable field changes \(spec\.template\)/);
    assert.equal(await exists('configmap', 'immutable-ok'), false, 'half of the plan was applied');

    const forced = await converge(run, changed, conn.cluster, { force: true });
    assert.deepEqual(forced.result.changeSet.errors, []);
    assert.deepEqual(actions(forced.result.changeSet), [
      'ConfigMap/immutable-ok created',
      'Job/refuse-job configured',
    ]);
    const live = JSON.parse(await kubectlOk(['get', 'job/refuse-job', '-n', ns.name, '-o', 'json']));
    assert.equal(live.spec.template.spec.containers[0].image, 'registry.example/job:2');
  });

  it('a 403 for one object (a ServiceAccount that may write ConfigMaps but only read Secrets)', async () => {
    const account = 'refuse-writer';
    await kubectlOk(['apply', '-f', '-'], { input: writerRbac(ns.name, account) });
    const limited = await connect(await kubeconfigFor(ns.name, account, dir));
    try {
      const run = newRun(uniqueTarget('forbidden'), ns.name);
      const secret = desired({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'forbidden-secret', namespace: ns.name },
        stringData: { token: 'refuse-canary-123' },
      });
      await kubectlOk([
        'create',
        'secret',
        'generic',
        'forbidden-secret',
        '--from-literal=token=x',
        '-n',
        ns.name,
      ]);
      const { result } = await converge(
        run,
        [configMap(ns.name, 'forbidden-ok', { a: '1' }), secret],
        limited.cluster,
      );
      await assertNothingApplied(
        run,
        result,
        `Secret/${ns.name}/forbidden-secret`,
        /forbidden-secret: the API server forbids it/,
      );
      assert.match(result.changeSet.errors[0].message, /cannot patch resource "secrets"/);
      assert.equal(await exists('configmap', 'forbidden-ok'), false, 'half of the plan was applied');
      assert.ok(!JSON.stringify(result).includes('refuse-canary-123'));
    } finally {
      limited.close();
    }
  });
});

/** May write ConfigMaps in the namespace (the objects and the inventory), and only read Secrets. */
function writerRbac(namespace: string, account: string): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata: {name: ${account}, namespace: ${namespace}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ${account}, namespace: ${namespace}}
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${account}, namespace: ${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${account}}
subjects:
- {kind: ServiceAccount, name: ${account}, namespace: ${namespace}}
---
# The plan lists what the target owns across namespaces.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${namespace}-refuse}
rules:
- apiGroups: [""]
  resources: ["configmaps", "secrets"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${namespace}-refuse}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${namespace}-refuse}
subjects:
- {kind: ServiceAccount, name: ${account}, namespace: ${namespace}}
`;
}

/** A kubeconfig for the ServiceAccount: the admin kubeconfig's server and CA, a fresh token. */
async function kubeconfigFor(namespace: string, account: string, dir: string): Promise<string> {
  const admin = parse(readFileSync(kubeconfigPath(), 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data'?: string } }[];
  };
  const { server, 'certificate-authority-data': ca } = admin.clusters[0].cluster;
  const token = (await kubectlOk(['-n', namespace, 'create', 'token', account, '--duration=1h'])).trim();
  const path = join(dir, `${account}.kubeconfig`);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server, 'certificate-authority-data': ca } }],
      users: [{ name: account, user: { token } }],
      contexts: [{ name: 'sa', context: { cluster: 'local', user: account } }],
      'current-context': 'sa',
    }),
    { mode: 0o600 },
  );
  return path;
}
