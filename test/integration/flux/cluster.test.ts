// A Flux repository against the local control plane, with Flux's CRDs installed so the
// Flux objects themselves are diffed too: applied from `kube-drift render --source flux`,
// then diffed through the CLI as a user would.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { KubeObject } from '../../../src/model.ts';
import { renderFlux } from '../../../src/render/flux/index.ts';
import { runCli } from '../../support/cli.ts';
import { kubeconfigPath, kubectl, kubectlOk, REPO_ROOT } from '../../support/cluster.ts';

const FIXTURE = 'test/fixtures/flux/production';
const CLUSTER_PATH = `${FIXTURE}/clusters/production`;

interface JsonEntry {
  kind: string;
  namespace: string | null;
  name: string;
  action: string;
  group?: string;
  note?: string;
  changes: { path: string; before?: unknown; after?: unknown }[];
}

interface JsonReport {
  summary: Record<string, number>;
  driftDetected: boolean;
  entries: JsonEntry[];
  errors: { message: string }[];
}

async function fluxDiff(
  path = CLUSTER_PATH,
  extra: string[] = [],
): Promise<{ code: number; report: JsonReport }> {
  const run = await runCli([
    'diff',
    '--path',
    path,
    '--kubeconfig',
    kubeconfigPath(),
    '-o',
    'json',
    ...extra,
  ]);
  assert.ok(
    run.stdout.startsWith('{'),
    `expected a JSON report, got: ${run.stdout.slice(0, 300)} ${run.stderr}`,
  );
  return { code: run.code, report: JSON.parse(run.stdout) };
}

function entry(report: JsonReport, kind: string, namespace: string | null, name: string): JsonEntry {
  const found = report.entries.find((e) => e.kind === kind && e.namespace === namespace && e.name === name);
  assert.ok(
    found,
    `no entry for ${kind}/${namespace}/${name} in ${report.entries.map((e) => `${e.kind}/${e.name}`).join(', ')}`,
  );
  return found;
}

function notUnchanged(report: JsonReport): string[] {
  return report.entries
    .filter((e) => e.action !== 'unchanged')
    .map((e) => `${e.kind}/${e.namespace}/${e.name}: ${e.action}`);
}

/**
 * Applies what renderFlux (the engine behind `kube-drift render --source flux`) renders,
 * Namespaces first (kubectl does not order). Not the CLI's printout: it masks values, and a
 * masked value must never reach the cluster.
 */
async function applyRendered(path = CLUSTER_PATH): Promise<void> {
  const rendered = await renderFlux({ repoRoot: REPO_ROOT, paths: [path] });
  assert.deepEqual(rendered.errors, []);
  const objects = rendered.objects.map((o) => o.object);
  assert.deepEqual(
    objects.filter((o) => o.kind === 'Secret'),
    [],
    'the fixture has no Secrets to mask',
  );
  const yaml = (list: KubeObject[]) => list.map((o) => stringify(o)).join('---\n');
  await kubectlOk(['apply', '--server-side', '-f', '-'], {
    input: yaml(objects.filter((o) => o.kind === 'Namespace')),
  });
  await kubectlOk(['apply', '--server-side', '-f', '-'], { input: yaml(objects) });
}

/** A copy of the fixture with one file rewritten; the path given to kube-drift is absolute. */
function variant(file: string, edit: (text: string) => string): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'flux-variant-'));
  cpSync(join(REPO_ROOT, FIXTURE), dir, { recursive: true });
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
  return {
    path: join(dir, 'clusters/production'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe('a Flux repository against the local control plane', { timeout: 300_000 }, () => {
  before(async () => {
    // Flux's CRDs from the controllers' Go modules (cached after the first download); idempotent.
    const crds = execFileSync(join(REPO_ROOT, 'tools/flux-crds.sh'), { encoding: 'utf8' }).trim();
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', crds]);
    await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', '-f', crds]);
    await applyRendered();
  });
  after(async () => {
    await kubectl(['delete', 'namespace', 'podinfo', '--wait=false', '--ignore-not-found']);
  });

  it('reports zero drift after applying what render printed, Flux objects included', async () => {
    const { code, report } = await fluxDiff();
    assert.deepEqual(report.errors, []);
    assert.deepEqual(notUnchanged(report), []);
    assert.equal(code, 0);
    // The Flux objects are diffed too, each in the group of the Kustomization that applies it.
    assert.equal(
      entry(report, 'Kustomization', 'flux-system', 'apps').group,
      'Kustomization flux-system/flux-system',
    );
    assert.equal(entry(report, 'HelmRelease', 'podinfo', 'hello').group, 'Kustomization flux-system/apps');
    assert.equal(entry(report, 'ConfigMap', 'podinfo', 'hello-greeting').group, 'HelmRelease podinfo/hello');
    assert.equal(report.summary.unchanged, report.entries.length);
    assert.equal(report.entries.length, 12);
  });

  it('source auto treats a path holding Flux Kustomizations as a Flux path', async () => {
    const { code, report } = await fluxDiff(CLUSTER_PATH, ['--source', 'auto']);
    assert.equal(code, 0);
    assert.equal(report.entries.length, 12);
    assert.equal(entry(report, 'Deployment', 'podinfo', 'podinfo').group, 'Kustomization flux-system/apps');
  });

  it('finds drift by kubectl scale and label, in the right Flux group', async () => {
    await kubectlOk(['-n', 'podinfo', 'scale', 'deployment/podinfo', '--replicas=5']);
    await kubectlOk(['-n', 'podinfo', 'label', 'configmap/hello-values', 'edited-by=hand']);
    try {
      const { code, report } = await fluxDiff();
      assert.equal(code, 1);
      assert.deepEqual(notUnchanged(report), [
        'ConfigMap/podinfo/hello-values: configured',
        'Deployment/podinfo/podinfo: configured',
      ]);
      const deployment = entry(report, 'Deployment', 'podinfo', 'podinfo');
      assert.equal(deployment.group, 'Kustomization flux-system/apps');
      assert.deepEqual(
        deployment.changes.map(({ path, before, after }) => ({ path, before, after })),
        [{ path: '/spec/replicas', before: 5, after: 2 }],
      );
      const values = entry(report, 'ConfigMap', 'podinfo', 'hello-values');
      assert.equal(values.group, 'Kustomization flux-system/infrastructure');
      assert.deepEqual(
        values.changes.map(({ path, before, after }) => ({ path, before, after })),
        // Git sets no labels on it, so the whole map is what goes.
        [{ path: '/metadata/labels', before: { 'edited-by': 'hand' }, after: undefined }],
      );
    } finally {
      await kubectlOk(['-n', 'podinfo', 'label', 'configmap/hello-values', 'edited-by-']);
      await kubectlOk(['-n', 'podinfo', 'scale', 'deployment/podinfo', '--replicas=2']);
    }
  });

  it("reports a suspended Kustomization's objects skipped", async () => {
    const suspended = variant('clusters/production/apps.yaml', (text) =>
      text.replace('spec:\n', 'spec:\n  suspend: true\n'),
    );
    await kubectlOk(['-n', 'podinfo', 'scale', 'deployment/podinfo', '--replicas=5']);
    try {
      const { report } = await fluxDiff(suspended.path);
      const apps = report.entries.filter((e) => e.group === 'Kustomization flux-system/apps');
      assert.deepEqual(
        apps.map((e) => `${e.kind}/${e.name}: ${e.action} (${e.note})`),
        [
          'HelmRelease/hello: skipped (Kustomization flux-system/apps is suspended)',
          'ConfigMap/literal: skipped (Kustomization flux-system/apps is suspended)',
          'Deployment/podinfo: skipped (Kustomization flux-system/apps is suspended)',
        ].sort(),
      );
      // The Kustomization object itself is where the change is.
      assert.deepEqual(
        notUnchanged(report).filter((line) => !line.includes('skipped')),
        ['Kustomization/flux-system/apps: configured'],
      );
    } finally {
      suspended.cleanup();
      await kubectlOk(['-n', 'podinfo', 'scale', 'deployment/podinfo', '--replicas=2']);
    }
  });

  it("honours Flux's opt-outs: reconcile: disabled and ssa: Ignore on live objects", async () => {
    const n = ['-n', 'podinfo'];
    await kubectlOk([
      ...n,
      'annotate',
      'deployment/podinfo',
      'kustomize.toolkit.fluxcd.io/reconcile=disabled',
    ]);
    await kubectlOk([...n, 'scale', 'deployment/podinfo', '--replicas=5']);
    await kubectlOk([...n, 'annotate', 'configmap/hello-values', 'kustomize.toolkit.fluxcd.io/ssa=Ignore']);
    await kubectlOk([...n, 'label', 'configmap/hello-values', 'edited-by=hand']);
    try {
      const { code, report } = await fluxDiff();
      assert.deepEqual(notUnchanged(report), [
        'ConfigMap/podinfo/hello-values: skipped',
        'Deployment/podinfo/podinfo: skipped',
      ]);
      assert.equal(
        entry(report, 'Deployment', 'podinfo', 'podinfo').note,
        'annotation kustomize.toolkit.fluxcd.io/reconcile: disabled',
      );
      assert.equal(
        entry(report, 'ConfigMap', 'podinfo', 'hello-values').note,
        'kustomize.toolkit.fluxcd.io/ssa: Ignore',
      );
      assert.equal(code, 0);
    } finally {
      await kubectlOk([...n, 'annotate', 'deployment/podinfo', 'kustomize.toolkit.fluxcd.io/reconcile-']);
      await kubectlOk([...n, 'scale', 'deployment/podinfo', '--replicas=2']);
      await kubectlOk([...n, 'annotate', 'configmap/hello-values', 'kustomize.toolkit.fluxcd.io/ssa-']);
      await kubectlOk([...n, 'label', 'configmap/hello-values', 'edited-by-']);
    }
  });

  it('ssa: IfNotPresent in Git: an existing object is never configured, a missing one is created', async () => {
    const ifNotPresent = variant('apps/production/literal.yaml', (text) =>
      text.replace('  annotations:\n', '  annotations:\n    kustomize.toolkit.fluxcd.io/ssa: IfNotPresent\n'),
    );
    try {
      await kubectlOk(['-n', 'podinfo', 'label', 'configmap/literal', 'edited-by=hand']);
      const drifted = await fluxDiff(ifNotPresent.path);
      const literal = entry(drifted.report, 'ConfigMap', 'podinfo', 'literal');
      assert.equal(literal.action, 'skipped');
      assert.equal(literal.note, 'kustomize.toolkit.fluxcd.io/ssa: IfNotPresent, and the object exists');
      assert.deepEqual(notUnchanged(drifted.report), ['ConfigMap/podinfo/literal: skipped']);

      await kubectlOk(['-n', 'podinfo', 'delete', 'configmap/literal']);
      const missing = await fluxDiff(ifNotPresent.path);
      assert.equal(entry(missing.report, 'ConfigMap', 'podinfo', 'literal').action, 'created');
      assert.equal(missing.code, 1);
    } finally {
      ifNotPresent.cleanup();
      await applyRendered();
      await kubectl(['-n', 'podinfo', 'label', 'configmap/literal', 'edited-by-']);
    }
  });

  it("reports an object in a Kustomization's Flux inventory but not in Git as deleted", async () => {
    await kubectlOk(['-n', 'podinfo', 'create', 'configmap', 'stale', '--from-literal=left=git']);
    await kubectlOk(['-n', 'podinfo', 'create', 'configmap', 'kept', '--from-literal=left=git']);
    await kubectlOk([
      '-n',
      'podinfo',
      'annotate',
      'configmap/kept',
      'kustomize.toolkit.fluxcd.io/prune=disabled',
    ]);
    const inventory = {
      status: {
        inventory: {
          entries: [
            { id: 'podinfo_podinfo_apps_Deployment', v: 'v1' },
            { id: 'podinfo_stale__ConfigMap', v: 'v1' },
            { id: 'podinfo_kept__ConfigMap', v: 'v1' },
            { id: 'podinfo_gone__ConfigMap', v: 'v1' },
          ],
        },
      },
    };
    await kubectlOk([
      ...['-n', 'flux-system', 'patch', 'kustomizations.kustomize.toolkit.fluxcd.io', 'apps'],
      ...['--subresource=status', '--type=merge', '-p', JSON.stringify(inventory)],
    ]);
    try {
      const { code, report } = await fluxDiff();
      assert.deepEqual(report.errors, []);
      assert.deepEqual(notUnchanged(report).sort(), [
        'ConfigMap/podinfo/kept: skipped',
        'ConfigMap/podinfo/stale: deleted',
      ]);
      assert.equal(
        entry(report, 'ConfigMap', 'podinfo', 'stale').note,
        'in the Flux inventory of Kustomization flux-system/apps; Flux would prune it',
      );
      assert.equal(
        entry(report, 'ConfigMap', 'podinfo', 'kept').note,
        'in the Flux inventory of Kustomization flux-system/apps; Flux would not prune it: kustomize.toolkit.fluxcd.io/prune: disabled',
      );
      assert.equal(code, 1);

      // apply never prunes what Flux owns (it is Flux's inventory, not kube-drift's).
      const apply = await runCli([
        ...['apply', '--path', CLUSTER_PATH, '--kubeconfig', kubeconfigPath(), '-o', 'json'],
        ...['--target', `flux-cluster-${process.pid}`, '--prune', '--dry-run'],
      ]);
      assert.ok(apply.stdout.startsWith('{'), apply.stdout + apply.stderr);
      const stale = (JSON.parse(apply.stdout) as JsonReport).entries.find((e) => e.name === 'stale');
      assert.equal(stale?.action, 'skipped', JSON.stringify(stale));
      assert.equal(
        stale?.note,
        'in the Flux inventory of Kustomization flux-system/apps; Flux would prune it; kube-drift never prunes what Flux applied',
      );
      assert.equal((await kubectl(['-n', 'podinfo', 'get', 'configmap/stale'])).code, 0);
    } finally {
      await kubectlOk([
        ...['-n', 'flux-system', 'patch', 'kustomizations.kustomize.toolkit.fluxcd.io', 'apps'],
        ...['--subresource=status', '--type=merge', '-p', '{"status":{"inventory":null}}'],
      ]);
      await kubectlOk(['-n', 'podinfo', 'delete', 'configmap/stale', 'configmap/kept']);
    }
  });
});
