// Who drifted it, and when: each drifted field names the field manager and the time the API
// server recorded for the live value, against the real control plane.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Attribution, FieldChange } from '../../../src/model.ts';
import { runCli } from '../../support/cli.ts';
import { kubeconfigPath, kubectlOk, type TestNamespace, withNamespace } from '../../support/cluster.ts';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels:
    app: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
        - name: shop
          image: nginx:1.27.3
          env:
            - name: MODE
              value: production
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop
  labels:
    team: payments
data:
  currency: EUR
`;

interface Entry {
  kind: string;
  name: string;
  note?: string;
  changes: FieldChange[];
}

describe('attribution of drifted fields', { timeout: 120_000 }, () => {
  let ns: TestNamespace;
  let dir: string;
  let startedAt: number;

  before(async () => {
    ns = await withNamespace('attribution');
    dir = mkdtempSync(join(tmpdir(), 'kube-drift-attribution-'));
    writeFileSync(join(dir, 'shop.yaml'), MANIFEST);
    await kubectlOk(['apply', '--server-side', '-n', ns.name, '-f', join(dir, 'shop.yaml')]);
    // managedFields times have one-second resolution.
    startedAt = Math.floor(Date.now() / 1000) * 1000;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await ns?.cleanup();
  });

  async function report(): Promise<{ entries: Entry[]; markdown: string }> {
    const args = ['diff', '--kubeconfig', kubeconfigPath(), '-n', ns.name, '--path', dir];
    const json = await runCli([...args, '-o', 'json']);
    assert.equal(json.code, 1, json.stderr);
    const markdown = await runCli([...args, '-o', 'markdown']);
    return { entries: JSON.parse(json.stdout).entries, markdown: markdown.stdout };
  }

  function changedBy(entries: Entry[], kind: string, path: string): Attribution | null | undefined {
    const entry = entries.find((e) => e.kind === kind);
    const change = entry?.changes.find((c) => c.path === path);
    assert.ok(change, `${kind}: no change at ${path} (${entry?.changes.map((c) => c.path).join(', ')})`);
    return change.changedBy;
  }

  function assertWithinWindow(attribution: Attribution | null | undefined): void {
    assert.ok(attribution?.time, `no time in ${JSON.stringify(attribution)}`);
    const t = Date.parse(attribution.time);
    assert.ok(t >= startedAt && t <= Date.now(), `time ${attribution.time} outside the test's window`);
  }

  it('names the manager, operation and time of kubectl label, edit-style patches and a scale through the subresource', async () => {
    await kubectlOk(['-n', ns.name, 'label', 'configmap/shop', 'team=checkout', '--overwrite']);
    await kubectlOk([
      '-n',
      ns.name,
      'patch',
      'configmap/shop',
      '--type',
      'merge',
      '-p',
      '{"data":{"currency":"USD"}}',
    ]);
    // What an autoscaler does: a write to the scale subresource under its own field manager.
    await kubectlOk([
      'patch',
      '-n',
      ns.name,
      'deployment/shop',
      '--subresource',
      'scale',
      '--type',
      'merge',
      '-p',
      '{"spec":{"replicas":4}}',
      '--field-manager',
      'kube-controller-manager',
    ]);
    await kubectlOk([
      '-n',
      ns.name,
      'patch',
      'deployment/shop',
      '--type',
      'json',
      '--field-manager',
      'kubectl-edit',
      '-p',
      '[{"op":"replace","path":"/spec/template/spec/containers/0/env/0/value","value":"debug"}]',
    ]);

    const { entries, markdown } = await report();
    const label = changedBy(entries, 'ConfigMap', '/metadata/labels/team');
    assert.match(label?.manager ?? '', /^kubectl/);
    assert.equal(label?.operation, 'Update');
    assertWithinWindow(label);

    const data = changedBy(entries, 'ConfigMap', '/data/currency');
    assert.match(data?.manager ?? '', /^kubectl/);
    assertWithinWindow(data);

    const replicas = changedBy(entries, 'Deployment', '/spec/replicas');
    assert.deepEqual(
      {
        manager: replicas?.manager,
        operation: replicas?.operation,
        subresource: replicas?.subresource,
        controller: replicas?.controller,
      },
      { manager: 'kube-controller-manager', operation: 'Update', subresource: 'scale', controller: true },
    );

    const env = changedBy(entries, 'Deployment', '/spec/template/spec/containers/0/env/0/value');
    assert.equal(env?.manager, 'kubectl-edit');
    assert.equal(env?.controller, false);
    assertWithinWindow(env);

    assert.match(markdown, /by kubectl-edit, (just now|\d+ s(ec)? ago|\d+ seconds? ago)/);
    assert.match(markdown, /kube-controller-manager[^\n]*\(controller\)/);
  });

  it('with two managers on one field, names the last writer (latest managedFields time)', async () => {
    // alice and then bob apply the same value over Git's: both own it; bob wrote last. Each
    // also sets a label of its own, so the write changes the object and the server records a
    // time for it (a no-op apply leaves the entry without one).
    const apply = (manager: string) =>
      kubectlOk(
        ['apply', '--server-side', '--force-conflicts', '-n', ns.name, '--field-manager', manager, '-f', '-'],
        {
          input: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shop","labels":{"${manager}":"yes"}},"data":{"currency":"GBP"}}`,
        },
      );
    await apply('alice');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await apply('bob');
    const { entries } = await report();
    const owner = changedBy(entries, 'ConfigMap', '/data/currency');
    assert.equal(owner?.manager, 'bob');
    assert.equal(owner?.operation, 'Apply');
    assertWithinWindow(owner);
  });

  it('says attribution is not available when the object has no managed fields', async () => {
    // An empty entry clears managedFields, as some tools strip them.
    await kubectlOk([
      '-n',
      ns.name,
      'patch',
      'configmap/shop',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/metadata/managedFields","value":[{}]}]',
    ]);
    const { entries, markdown } = await report();
    const cm = entries.find((e) => e.kind === 'ConfigMap');
    assert.equal(cm?.note, 'attribution not available: the live object has no managed fields');
    for (const change of cm?.changes ?? []) assert.equal(change.changedBy, undefined);
    assert.match(markdown, /attribution not available/);
  });
});
