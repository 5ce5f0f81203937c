// The drift engine against the real local control plane: apply the fixtures with kubectl,
// drift them by hand the ways people do, and check that `kube-drift diff` reports exactly
// that: the right object, the right JSON pointer, masked Secrets, the right exit status.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { FieldChange } from '../../../src/model.ts';
import { resolveOwner } from '../../../src/remediate/owner.ts';
import { findTool } from '../../../src/render/index.ts';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';

const FIXTURES = 'test/fixtures/engine';
const CANARIES = [
  'CANARY-s3cr3t-7f9a2b',
  'CANARY-b64-value-99',
  'Q0FOQVJZLWI2NC12YWx1ZS05OQ==',
  'CANARY-hand-edit-4c1',
];

interface JsonEntry {
  kind: string;
  namespace: string | null;
  name: string;
  action: string;
  source?: { file: string; line: number };
  changes: FieldChange[];
  diff: string;
  note?: string;
}

interface JsonReport {
  schemaVersion: string;
  summary: Record<string, number>;
  driftDetected: boolean;
  entries: JsonEntry[];
  errors: { message: string; object?: string }[];
}

function assertNoCanary(...texts: string[]): void {
  for (const text of texts) {
    for (const canary of [...CANARIES, ...CANARIES.map((c) => Buffer.from(c).toString('base64'))]) {
      assert.ok(!text.includes(canary), `a Secret canary leaked into output: ${canary}`);
    }
  }
}

async function diff(
  ns: string,
  paths: string[],
  extra: string[] = [],
): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const args = [
    'diff',
    '--kubeconfig',
    kubeconfigPath(),
    '--namespace',
    ns,
    '--target',
    ns,
    '--output',
    'json',
    ...extra,
  ];
  for (const p of paths) args.push('--path', p);
  const run = await runCli(args);
  assertNoCanary(run.stdout, run.stderr);
  assert.ok(
    run.stdout.startsWith('{'),
    `expected a JSON report, got: ${run.stdout.slice(0, 300)} ${run.stderr}`,
  );
  return { code: run.code, report: JSON.parse(run.stdout), stderr: run.stderr };
}

function entry(report: JsonReport, kind: string, name: string): JsonEntry {
  const found = report.entries.find((e) => e.kind === kind && e.name === name);
  assert.ok(
    found,
    `no entry for ${kind}/${name} in ${report.entries.map((e) => `${e.kind}/${e.name}`).join(', ')}`,
  );
  return found;
}

function change(e: JsonEntry, path: string): FieldChange {
  const found = e.changes.find((c) => c.path === path);
  assert.ok(
    found,
    `${e.kind}/${e.name}: no change at ${path}; changes: ${e.changes.map((c) => c.path).join(', ')}`,
  );
  return found;
}

/** Applies a fixture with kubectl apply --server-side (helm install for the chart), as a user would. */
async function applyWithKubectl(ns: string, path: string): Promise<void> {
  if (path.endsWith('/chart')) {
    execFileSync(
      findTool('helm'),
      ['install', 'release', path, '--namespace', ns, '--kubeconfig', kubeconfigPath()],
      {
        encoding: 'utf8',
      },
    );
  } else if (path.endsWith('/overlay')) {
    await kubectlOk(['apply', '--server-side', '-n', ns, '-k', path]);
  } else {
    await kubectlOk(['apply', '--server-side', '-n', ns, '-f', path]);
  }
}

describe('kube-drift diff against the local control plane', { timeout: 240_000 }, () => {
  let ns: TestNamespace;
  const app = `${FIXTURES}/app`;
  const startedAt = Date.now();

  before(async () => {
    ns = await withNamespace('engine');
    await applyWithKubectl(ns.name, app);
  });
  after(async () => {
    await kubectl([
      '-n',
      'kube-drift-system',
      'delete',
      'configmap',
      `kube-drift-inventory-${ns?.name}`,
      '--ignore-not-found',
    ]);
    await ns?.cleanup();
  });

  it('reports zero drift right after kubectl apply --server-side', async () => {
    const { code, report } = await diff(ns.name, [app]);
    assert.deepEqual(report.errors, []);
    const notUnchanged = report.entries.filter((e) => e.action !== 'unchanged');
    assert.deepEqual(
      notUnchanged.map((e) => `${e.kind}/${e.name}: ${e.action} ${e.changes.map((c) => c.path).join(' ')}`),
      [],
    );
    assert.equal(report.summary.unchanged, 12);
    assert.equal(report.driftDetected, false);
    assert.equal(code, 0);
    const web = entry(report, 'Deployment', 'web');
    assert.deepEqual(web.source, { file: `${app}/workloads.yaml`, line: 2 });
    assert.equal(web.namespace, ns.name);
  });

  it('reports each hand edit with the right object and JSON pointer', async () => {
    const n = ['-n', ns.name];
    await kubectlOk([...n, 'scale', 'deployment/web', '--replicas=5']);
    await kubectlOk([...n, 'label', 'deployment/web', 'hotfix=true']);
    await kubectlOk([...n, 'label', 'deployment/web', 'tier-']);
    await kubectlOk([...n, 'annotate', 'deployment/web', 'note=edited by hand', '--overwrite']);
    await kubectlOk([...n, 'set', 'image', 'deployment/api', 'api=ghcr.io/example/api:1.0.1']);
    await kubectlOk([...n, 'set', 'env', 'deployment/api', 'MODE=debug']);
    await kubectlOk([
      ...n,
      'patch',
      'deployment/worker',
      '--type',
      'json',
      '-p',
      '[{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"sidecar","image":"busybox:1.36"}}]',
    ]);
    await kubectlOk([
      ...n,
      'patch',
      'service/web',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/ports/0/port","value":8080}]',
    ]);
    await kubectlOk([
      ...n,
      'patch',
      'secret/credentials',
      '--type',
      'merge',
      '-p',
      '{"stringData":{"password":"CANARY-hand-edit-4c1"}}',
    ]);
    await kubectlOk([
      ...n,
      'patch',
      'configmap/settings',
      '--type',
      'json',
      '-p',
      '[{"op":"remove","path":"/data/COLOR"}]',
    ]);
    await kubectlOk([...n, 'delete', 'rolebinding/reader']);
    await kubectlOk([...n, 'scale', 'deployment/scaled', '--replicas=3']);
    // Applied by this target earlier (in its inventory, with its owner labels), but not in Git
    // now: would be pruned. A labelled copy made by hand is not in the inventory: never listed.
    for (const name of ['stray', 'stray-copy']) {
      await kubectlOk([...n, 'create', 'configmap', name, '--from-literal=a=b']);
      await kubectlOk([
        ...n,
        'label',
        `configmap/${name}`,
        'kube-drift.dev/owner=kube-drift',
        `kube-drift.dev/name=${ns.name}`,
      ]);
    }
    const { owner } = await resolveOwner(undefined, process.cwd());
    await kubectlOk([
      ...['-n', 'kube-drift-system', 'create', 'configmap', `kube-drift-inventory-${ns.name}`],
      `--from-literal=entries=${JSON.stringify([`|v1|ConfigMap|${ns.name}|stray`])}`,
      `--from-literal=owner=${owner}`,
    ]);

    const { code, report } = await diff(ns.name, [app]);
    assert.deepEqual(report.errors, []);
    assert.equal(code, 1, 'exit status 1 on drift');
    assert.equal(report.driftDetected, true);

    const web = entry(report, 'Deployment', 'web');
    assert.equal(web.action, 'configured');
    assert.deepEqual([change(web, '/spec/replicas').before, change(web, '/spec/replicas').after], [5, 2]);
    assert.deepEqual(
      [change(web, '/metadata/labels/hotfix').before, change(web, '/metadata/labels/hotfix').after],
      ['true', undefined],
    );
    assert.deepEqual(
      [change(web, '/metadata/labels/tier').before, change(web, '/metadata/labels/tier').after],
      [undefined, 'frontend'],
    );
    assert.deepEqual(
      [change(web, '/metadata/annotations/note').before, change(web, '/metadata/annotations/note').after],
      ['edited by hand', 'from git'],
    );
    assert.equal(web.changes.length, 4, `web changes: ${web.changes.map((c) => c.path).join(', ')}`);

    const api = entry(report, 'Deployment', 'api');
    assert.deepEqual(
      change(api, '/spec/template/spec/containers/0/image').after,
      'ghcr.io/example/api:1.0.0',
    );
    assert.deepEqual(change(api, '/spec/template/spec/containers/0/env/0/value').before, 'debug');

    const worker = entry(report, 'Deployment', 'worker');
    const sidecar = change(worker, '/spec/template/spec/containers/1');
    assert.equal((sidecar.before as { name: string }).name, 'sidecar');
    assert.equal(sidecar.after, undefined);

    const svc = entry(report, 'Service', 'web');
    assert.deepEqual(
      [change(svc, '/spec/ports/0/port').before, change(svc, '/spec/ports/0/port').after],
      [8080, 80],
    );

    const secret = entry(report, 'Secret', 'credentials');
    assert.deepEqual(
      { before: change(secret, '/data/password').before, after: change(secret, '/data/password').after },
      { before: '*** (before)', after: '*** (after)' },
    );
    assert.match(secret.diff, /\*\*\* \(before\)/);

    const cm = entry(report, 'ConfigMap', 'settings');
    assert.deepEqual(
      [change(cm, '/data/COLOR').before, change(cm, '/data/COLOR').after],
      [undefined, 'blue'],
    );

    assert.equal(entry(report, 'RoleBinding', 'reader').action, 'created');
    assert.equal(entry(report, 'ConfigMap', 'stray').action, 'deleted');
    assert.equal(
      report.entries.find((e) => e.name === 'stray-copy'),
      undefined,
      'a labelled object not in the inventory was listed',
    );
    assert.equal(
      entry(report, 'Deployment', 'scaled').action,
      'unchanged',
      'an HPA-managed replica count is not drift',
    );
    assert.equal(entry(report, 'Secret', 'tls-like').action, 'unchanged');
    assert.deepEqual(report.summary, {
      created: 1,
      configured: 6,
      unchanged: 5,
      deleted: 1,
      skipped: 0,
      errors: 0,
    });
  });

  it('attributes hand edits to the manager and time the API server recorded', async () => {
    const { report } = await diff(ns.name, [app]);
    const web = entry(report, 'Deployment', 'web');
    // kubectl's manager names vary by release (kubectl, kubectl-scale, kubectl-label…).
    const replicas = change(web, '/spec/replicas').changedBy;
    assert.match(replicas?.manager ?? '', /^kubectl/);
    assert.equal(replicas?.operation, 'Update');
    assert.equal(replicas?.subresource, 'scale', 'kubectl scale writes through the scale subresource');
    const label = change(web, '/metadata/labels/hotfix').changedBy;
    assert.match(label?.manager ?? '', /^kubectl/);
    assert.equal(label?.controller, false);
    assert.ok(
      label?.time && Date.parse(label.time) >= startedAt - 1000 && Date.parse(label.time) <= Date.now(),
      `time ${label?.time}`,
    );
    // A field Git adds back (the removed label) has no live value to attribute.
    assert.equal(change(web, '/metadata/labels/tier').changedBy, undefined);
  });

  it('prints text and Markdown reports without Secret values', async () => {
    for (const output of ['text', 'markdown']) {
      const run = await runCli([
        'diff',
        '--kubeconfig',
        kubeconfigPath(),
        '-n',
        ns.name,
        '--target',
        ns.name,
        '--path',
        app,
        '--output',
        output,
      ]);
      assert.equal(run.code, 1);
      assertNoCanary(run.stdout, run.stderr);
      assert.match(run.stdout, /Deployment\/[a-z0-9-]+\/web/);
      assert.match(run.stdout, /spec\.replicas/);
    }
  });
});

describe('the bundled example (examples/demo)', { timeout: 120_000 }, () => {
  // The example names its own namespace; a target of its own keeps this test's runs apart.
  it('reports zero drift after kubectl apply --server-side of its files and its kustomization', async () => {
    await kubectlOk(['apply', '--server-side', '-f', 'examples/demo/namespace.yaml']);
    await kubectlOk([
      'apply',
      '--server-side',
      '-f',
      'examples/demo/app.yaml',
      '-f',
      'examples/demo/config.yaml',
    ]);
    await kubectlOk(['apply', '--server-side', '-k', 'examples/demo/cache']);
    const run = await runCli([
      'diff',
      '--kubeconfig',
      kubeconfigPath(),
      '--path',
      'examples/demo',
      '--target',
      'example-test',
      '-o',
      'json',
    ]);
    const report: JsonReport = JSON.parse(run.stdout);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(
      report.entries.map((e) =>
        `${e.kind}/${e.name} ${e.action} ${e.changes.map((c) => c.path).join(' ')}`.trim(),
      ),
      [
        'Namespace/demo unchanged',
        'ConfigMap/web-config unchanged',
        'Secret/web-credentials unchanged',
        'Service/web unchanged',
        'Deployment/redis unchanged',
        'Deployment/web unchanged',
      ],
    );
    assert.equal(run.code, 0);
  });
});

describe('rendered sources and custom resources', { timeout: 240_000 }, () => {
  let ns: TestNamespace;
  before(async () => {
    ns = await withNamespace('sources');
  });
  after(async () => ns?.cleanup());

  it('reports a Kustomize overlay and a Helm chart in sync after apply, and drift after an edit', async () => {
    const paths = [`${FIXTURES}/overlay`, `${FIXTURES}/chart`];
    for (const p of paths) await applyWithKubectl(ns.name, p);
    const clean = await diff(ns.name, paths);
    assert.deepEqual(clean.report.errors, []);
    assert.deepEqual(clean.report.entries.map((e) => `${e.kind}/${e.name} ${e.action}`).sort(), [
      'ConfigMap/release-echo unchanged',
      'Deployment/prod-cache unchanged',
      'Deployment/release-echo unchanged',
    ]);
    await kubectlOk(['-n', ns.name, 'scale', 'deployment/prod-cache', '--replicas=4']);
    const drifted = await diff(ns.name, paths);
    const cache = entry(drifted.report, 'Deployment', 'prod-cache');
    assert.deepEqual([change(cache, '/spec/replicas').before, change(cache, '/spec/replicas').after], [4, 2]);
    assert.equal(
      cache.source?.file,
      `${FIXTURES}/overlay/kustomization.yaml`.replace('/kustomization.yaml', '/base/deployment.yaml'),
    );
  });

  it('reports a CRD and custom resources that are new in this change as created, with a note', async () => {
    await kubectlOk(['delete', 'crd', 'services.drift.kube-drift.dev', '--ignore-not-found']);
    const { code, report } = await diff(ns.name, [`${FIXTURES}/crd`]);
    assert.deepEqual(report.errors, []);
    assert.equal(
      entry(report, 'CustomResourceDefinition', 'services.drift.kube-drift.dev').action,
      'created',
    );
    const cr = entry(report, 'Service', 'checkout');
    assert.equal(cr.action, 'created');
    assert.match(cr.note ?? '', /CustomResourceDefinition is new in this change/);
    assert.equal(code, 1);
  });

  it('reports an unknown kind as an error naming the object, with exit status 2', async () => {
    const run = await runCli([
      'diff',
      '--kubeconfig',
      kubeconfigPath(),
      '-n',
      ns.name,
      '--path',
      'test/fixtures/engine-bad/unknown-kind.yaml',
      '-o',
      'json',
    ]);
    assert.equal(run.code, 2);
    const report: JsonReport = JSON.parse(run.stdout);
    assert.equal(report.errors.length, 1);
    assert.match(
      report.errors[0].message,
      /^unknown kind example.com\/v1 Widget for Widget\/gadget \(test\/fixtures\/engine-bad\/unknown-kind.yaml:1\): the server does not serve it/,
    );
  });
});
