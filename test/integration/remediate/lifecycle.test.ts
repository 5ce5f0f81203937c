// Prune, max-deletions, CRDs with their custom resources, health waits, immutable fields,
// suspend and the per-target lease, against the local control plane.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DesiredObject } from '../../../src/model.ts';
import { acquireLease } from '../../../src/remediate/lease.ts';
import { kubectl, kubectlOk, type TestNamespace, withNamespace } from '../../support/cluster.ts';
import {
  actions,
  assertNoDrift,
  type Connected,
  configMap,
  connect,
  converge,
  drifted,
  fixture,
  inventoryNames,
  newRun,
  planRun,
  quietHooks,
  uniqueTarget,
} from './support.ts';

async function exists(kind: string, name: string, namespace: string): Promise<boolean> {
  return (await kubectl(['get', `${kind}/${name}`, '-n', namespace])).code === 0;
}

describe('remediation lifecycle', () => {
  let ns: TestNamespace;
  let conn: Connected;
  const extraNamespaces: string[] = [];
  const crds: string[] = [];
  before(async () => {
    ns = await withNamespace('remediate-life');
    conn = await connect();
  });
  after(async () => {
    conn?.close();
    for (const crd of crds) await kubectl(['delete', 'crd', crd, '--wait=false', '--ignore-not-found']);
    for (const name of extraNamespaces)
      await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
    await ns?.cleanup();
  });

  it('prunes what it applied and left Git, never an object it never applied nor one opted out', async () => {
    // The inventory namespace does not exist yet: remediation creates it.
    const inventoryNamespace = `kube-drift-inv-${randomBytes(3).toString('hex')}`;
    extraNamespaces.push(inventoryNamespace);
    const run = newRun(uniqueTarget('prune'), ns.name, inventoryNamespace);
    const keep = configMap(ns.name, 'prune-keep', { a: '1' });
    const gone = configMap(ns.name, 'prune-gone', { a: '1' });
    const optedOut = configMap(ns.name, 'prune-opted-out', { a: '1' });
    await converge(run, [keep, gone, optedOut], conn.cluster);
    // Opted out on the live object, as people do before Git drops it.
    await kubectlOk([
      'annotate',
      'configmap/prune-opted-out',
      'kube-drift.dev/reconcile=disabled',
      '-n',
      ns.name,
    ]);
    // Same kind and namespace, never applied by kube-drift.
    await kubectlOk(['create', 'configmap', 'prune-stranger', '--from-literal=a=1', '-n', ns.name]);
    const inventory = () => inventoryNames(conn.cluster, run);
    assert.deepEqual(await inventory(), [
      'ConfigMap/prune-gone',
      'ConfigMap/prune-keep',
      'ConfigMap/prune-opted-out',
    ]);

    // Prune off: nothing is deleted, and the report says why.
    const off = await converge(run, [keep], conn.cluster);
    assert.ok(await exists('configmap', 'prune-gone', ns.name));
    const offEntry = off.result.changeSet.entries.find((e) => e.ref.name === 'prune-gone');
    assert.equal(offEntry?.action, 'skipped');
    assert.match(offEntry?.note ?? '', /prune is off/);
    assert.equal(off.result.driftRemaining, true);

    const on = await converge(run, [keep], conn.cluster, { prune: true });
    assert.deepEqual(on.result.changeSet.errors, []);
    assert.deepEqual(actions(on.result.changeSet), [
      'ConfigMap/prune-gone deleted',
      'ConfigMap/prune-keep unchanged',
      'ConfigMap/prune-opted-out skipped',
    ]);
    assert.equal(await exists('configmap', 'prune-gone', ns.name), false);
    assert.ok(
      await exists('configmap', 'prune-stranger', ns.name),
      'an object kube-drift never applied was pruned',
    );
    assert.ok(await exists('configmap', 'prune-opted-out', ns.name), 'an opted-out object was pruned');
    // The inventory keeps what is still in the cluster and was applied: never the deleted one.
    assert.deepEqual(await inventory(), ['ConfigMap/prune-keep', 'ConfigMap/prune-opted-out']);
  });

  it('refuses a mass deletion past max-deletions and deletes nothing', async () => {
    const run = newRun(uniqueTarget('mass'), ns.name);
    const many = ['m1', 'm2', 'm3'].map((name) => configMap(ns.name, `mass-${name}`, { a: '1' }));
    await converge(run, many, conn.cluster);
    const { result } = await converge(run, [], conn.cluster, { prune: true, maxDeletions: 2 });
    assert.equal(result.changeSet.errors.length, 1);
    assert.match(
      result.changeSet.errors[0].message,
      /prune would delete 3 objects .* more than max-deletions \(2\); nothing was deleted/,
    );
    for (const name of ['m1', 'm2', 'm3']) {
      assert.match(result.changeSet.errors[0].message, new RegExp(`ConfigMap/${ns.name}/mass-${name}`));
      assert.ok(await exists('configmap', `mass-${name}`, ns.name));
    }
    assert.deepEqual(drifted(result.changeSet), []);
    assert.equal(result.driftRemaining, true);
  });

  it('applies a new CRD and its custom resources in one run', async () => {
    const group = `kd${randomBytes(3).toString('hex')}.example.com`;
    crds.push(`widgets.${group}`);
    const run = newRun(uniqueTarget('crd'), ns.name);
    const desired = fixture('crd.yaml', { NAMESPACE: ns.name, GROUP: group });
    const { plan, result } = await converge(run, desired, conn.cluster);
    assert.deepEqual(plan.changeSet.errors, []);
    assert.deepEqual(result.changeSet.errors, []);
    assert.deepEqual(drifted(result.changeSet), [
      'CustomResourceDefinition/widgets.' + group + ' created',
      'Widget/first created',
    ]);
    const widget = JSON.parse(
      await kubectlOk(['get', `widgets.${group}/first`, '-n', ns.name, '-o', 'json']),
    );
    assert.deepEqual(widget.spec, { size: 3, labels: { free: 'form' } });
    assert.equal(widget.metadata.labels['kube-drift.dev/name'], run.target);
  });

  it('reports an unready Deployment and a failing Job as unhealthy after the timeout', async () => {
    const run = newRun(uniqueTarget('health'), ns.name);
    const desired = fixture('unhealthy.yaml', { NAMESPACE: ns.name });
    const { result } = await converge(run, desired, conn.cluster, { wait: true, timeoutSeconds: 8 });
    assert.deepEqual(result.changeSet.errors, []);
    assert.deepEqual(
      result.unhealthy.map((u) => u.subject),
      [`Deployment/${ns.name}/never-ready`, `Job/${ns.name}/always-fails`],
    );
    const job = result.unhealthy.find((u) => u.subject.startsWith('Job/'));
    assert.match(job?.reason ?? '', /fail/i);
    const deployment = result.unhealthy.find((u) => u.subject.startsWith('Deployment/'));
    assert.match(
      deployment?.reason ?? '',
      /not healthy after 8s: .*(available|updated|generation|Available)/,
    );

    // skip-unhealthy leaves the unhealthy Deployment alone when Git changes it.
    const changed: DesiredObject[] = desired.map((d) =>
      d.object.kind === 'Deployment'
        ? { ...d, object: { ...d.object, metadata: { ...d.object.metadata, annotations: { note: 'v2' } } } }
        : d,
    );
    const skip = await converge(run, changed, conn.cluster, { skipUnhealthy: true });
    const entry = skip.result.changeSet.entries.find((e) => e.ref.name === 'never-ready');
    assert.equal(entry?.action, 'skipped');
    assert.match(entry?.note ?? '', /unhealthy before remediation/);
    const live = JSON.parse(await kubectlOk(['get', 'deployment/never-ready', '-n', ns.name, '-o', 'json']));
    assert.equal(live.metadata.annotations?.note, undefined);
  });

  it('reports an immutable field, and recreates the object with force', async () => {
    const run = newRun(uniqueTarget('immutable'), ns.name);
    const job = (image: string, label: string): DesiredObject => ({
      source: { file: 'inline.yaml', line: 1 },
      object: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'immutable-job', namespace: ns.name },
        spec: {
          template: {
            metadata: { labels: { version: label } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'job', image }] },
          },
        },
      },
    });
    await converge(run, [job('registry.example/job:1', 'one')], conn.cluster);
    const refused = await converge(run, [job('registry.example/job:2', 'two')], conn.cluster);
    assert.equal(refused.result.changeSet.errors.length, 1);
    assert.match(
      refused.result.changeSet.errors[0].message,
      /Job\/.*immutable-job: .*(spec\.template|immutable).*Set force to delete and recreate it/,
    );
    assert.equal(refused.result.driftRemaining, true);

    const forced = await converge(run, [job('registry.example/job:2', 'two')], conn.cluster, { force: true });
    assert.deepEqual(forced.result.changeSet.errors, []);
    const entry = forced.result.changeSet.entries.find((e) => e.ref.name === 'immutable-job');
    assert.match(entry?.note ?? '', /deleted and recreated/);
    const live = JSON.parse(await kubectlOk(['get', 'job/immutable-job', '-n', ns.name, '-o', 'json']));
    assert.equal(live.spec.template.spec.containers[0].image, 'registry.example/job:2');
    assertNoDrift((await planRun(run, [job('registry.example/job:2', 'two')], conn.cluster)).changeSet);
  });

  it('reports everything skipped when suspended, and writes nothing', async () => {
    const run = newRun(uniqueTarget('suspend'), ns.name);
    const { result } = await converge(run, [configMap(ns.name, 'suspended', { a: '1' })], conn.cluster, {
      suspend: true,
    });
    assert.deepEqual(actions(result.changeSet), ['ConfigMap/suspended skipped']);
    assert.match(result.changeSet.entries[0].note ?? '', /suspended/);
    assert.equal(await exists('configmap', 'suspended', ns.name), false);
  });

  it('lets one run at a time hold the lease of a target', async () => {
    const target = uniqueTarget('lease');
    const common = {
      target,
      namespace: ns.name,
      fieldManager: 'kube-drift',
      onWarning: quietHooks.warning,
      onWait: quietHooks.info,
      pollMs: 100,
    };
    const first = await acquireLease(conn.cluster, { ...common, identity: 'run-1', waitSeconds: 0 });
    assert.ok(first);
    await assert.rejects(
      acquireLease(conn.cluster, { ...common, identity: 'run-2', waitSeconds: 0 }),
      /another remediation of target .* is running: .* held by run-1/,
    );
    await first.release();
    const second = await acquireLease(conn.cluster, { ...common, identity: 'run-2', waitSeconds: 0 });
    assert.ok(second);
    await second.release();
  });
});
