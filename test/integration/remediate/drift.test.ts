// Every kind of hand-made drift is reverted by one remediation, and the next plan is clean.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hasDrift, summarize } from '../../../src/model.ts';
import { kubectl, kubectlOk, type TestNamespace, withNamespace } from '../../support/cluster.ts';
import {
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
  uniqueTarget,
} from './support.ts';

// biome-ignore lint/suspicious/noExplicitAny: kubectl output, read field by field in the assertions below
async function getJson(args: string[]): Promise<Record<string, any>> {
  return JSON.parse(await kubectlOk([...args, '-o', 'json']));
}

describe('remediation reverts drift', () => {
  let ns: TestNamespace;
  let conn: Connected;
  before(async () => {
    ns = await withNamespace('remediate-drift');
    conn = await connect();
  });
  after(async () => {
    conn?.close();
    await ns?.cleanup();
  });

  it('creates the application, then reverts each drift in one run, then finds none', async () => {
    const run = newRun(uniqueTarget('drift'), ns.name);
    const desired = fixture('app.yaml', { NAMESPACE: ns.name });

    const first = await converge(run, desired, conn.cluster);
    assert.deepEqual(first.result.changeSet.errors, []);
    assert.deepEqual(drifted(first.result.changeSet), [
      'ConfigMap/doomed created',
      'ConfigMap/settings created',
      'Deployment/web created',
      'Secret/credentials created',
      'Service/web created',
    ]);
    assertNoDrift((await planRun(run, desired, conn.cluster)).changeSet);

    // Drift by hand, the ways people do it.
    const n = ['-n', ns.name];
    await kubectlOk(['scale', 'deployment/web', '--replicas=5', ...n]);
    await kubectlOk(['set', 'image', 'deployment/web', 'web=registry.example/web:6.6.6', ...n]);
    await kubectlOk(['set', 'env', 'deployment/web', 'MODE=debug', 'EXTRA=added-by-hand', ...n]);
    await kubectlOk(['label', 'deployment/web', 'added=by-hand', 'tier-', ...n]);
    await kubectlOk(['annotate', '--overwrite', 'deployment/web', 'example.com/owner=team-b', ...n]);
    await kubectlOk([
      'patch',
      'deployment/web',
      ...n,
      '--type=json',
      '-p',
      JSON.stringify([
        {
          op: 'add',
          path: '/spec/template/spec/containers/-',
          value: { name: 'sidecar', image: 'registry.example/sidecar:1' },
        },
      ]),
    ]);
    await kubectlOk([
      'patch',
      'service/web',
      ...n,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { ports: [{ name: 'http', port: 81, targetPort: 8080 }] } }),
    ]);
    await kubectlOk([
      'patch',
      'secret/credentials',
      ...n,
      '--type=merge',
      '-p',
      JSON.stringify({ stringData: { password: 'changed-by-hand-5678' } }),
    ]);
    await kubectlOk([
      'patch',
      'configmap/settings',
      ...n,
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'remove', path: '/data/size' }]),
    ]);
    await kubectlOk(['delete', 'configmap/doomed', ...n]);

    const second = await converge(run, desired, conn.cluster);
    const expected = [
      'ConfigMap/doomed created',
      'ConfigMap/settings configured',
      'Deployment/web configured',
      'Secret/credentials configured',
      // The hand-edited port keeps the name "http": Git's port 80 only fits once kube-drift
      // has taken port 81 over, which the plan predicts and remediation does.
      'Service/web configured',
    ];
    assert.deepEqual(second.plan.changeSet.errors, []);
    assert.deepEqual(drifted(second.plan.changeSet), expected);
    assert.deepEqual(second.result.changeSet.errors, []);
    assert.equal(second.result.driftRemaining, false);
    assert.deepEqual(drifted(second.result.changeSet), expected);
    const output = JSON.stringify(second.result.changeSet);
    assert.ok(
      !output.includes('changed-by-hand-5678') && !output.includes('git-password-1234'),
      'a Secret value leaked into the change set',
    );

    // What a user would check with kubectl.
    const web = await getJson(['get', 'deployment/web', ...n]);
    assert.equal(web.spec.replicas, 2);
    assert.deepEqual(web.metadata.labels, {
      app: 'web',
      tier: 'frontend',
      'kube-drift.dev/name': run.target,
      'kube-drift.dev/owner': 'kube-drift',
    });
    assert.equal(web.metadata.annotations['example.com/owner'], 'team-a');
    assert.deepEqual(
      web.spec.template.spec.containers.map((c: { name: string }) => c.name),
      ['web'],
    );
    assert.equal(web.spec.template.spec.containers[0].image, 'registry.example/web:1.0');
    assert.deepEqual(web.spec.template.spec.containers[0].env, [{ name: 'MODE', value: 'production' }]);
    const service = await getJson(['get', 'service/web', ...n]);
    assert.equal(service.spec.ports[0].port, 80);
    const secret = await getJson(['get', 'secret/credentials', ...n]);
    assert.equal(Buffer.from(secret.data.password, 'base64').toString(), 'git-password-1234');
    const settings = await getJson(['get', 'configmap/settings', ...n]);
    assert.deepEqual(settings.data, { color: 'blue', size: 'large' });
    await kubectlOk(['get', 'configmap/doomed', ...n]);

    // A second run straight after: nothing to do.
    const third = await converge(run, desired, conn.cluster);
    assertNoDrift(third.plan.changeSet);
    assert.equal(hasDrift(summarize(third.result.changeSet)), false);
    assert.equal(third.result.driftRemaining, false);

    assert.deepEqual(await inventoryNames(conn.cluster, run), [
      'ConfigMap/doomed',
      'ConfigMap/settings',
      'Deployment/web',
      'Secret/credentials',
      'Service/web',
    ]);
  });

  it('writes nothing in a dry run, and says what it would do', async () => {
    const run = newRun(uniqueTarget('dry'), ns.name);
    const n = ['-n', ns.name];
    await kubectlOk(['create', 'configmap', 'dry-existing', '--from-literal=color=red', ...n]);
    const desired = [
      configMap(ns.name, 'dry-new', { color: 'blue' }),
      configMap(ns.name, 'dry-existing', { color: 'blue' }),
    ];
    const { result } = await converge(run, desired, conn.cluster, { dryRun: true });
    assert.deepEqual(drifted(result.changeSet), [
      'ConfigMap/dry-existing configured',
      'ConfigMap/dry-new created',
    ]);
    assert.ok(
      result.changeSet.entries.every((e) => /dry run/.test(e.note ?? '')),
      'each would-be change says dry run',
    );
    assert.equal(result.driftRemaining, true);
    assert.equal((await kubectl(['get', 'configmap/dry-new', ...n])).code, 1, 'dry-new was created');
    assert.deepEqual((await getJson(['get', 'configmap/dry-existing', ...n])).data, { color: 'red' });
    assert.deepEqual(await inventoryNames(conn.cluster, run), []);
  });
});
