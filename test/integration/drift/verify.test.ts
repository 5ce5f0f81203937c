// Soundness of the in-sync proof on the real control plane: the same repository diffed with
// --verify all (a dry-run for every object) and --verify auto (no dry-run where the proof holds)
// must give the same report, object by object and field by field: objects applied by kubectl
// and helm, then adopted by kube-drift apply, then edited by hand in every way the engine tests
// use; and each way the proof fails falls back to the dry-run and still reports correctly.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FieldChange } from '../../../src/model.ts';
import { findTool } from '../../../src/render/index.ts';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  REPO_ROOT,
  type TestNamespace,
  waitFor,
  withNamespace,
} from '../../support/cluster.ts';
import { spawnCli } from '../faults/support.ts';

interface JsonEntry {
  kind: string;
  namespace: string | null;
  name: string;
  action: string;
  changes: FieldChange[];
  diff: string;
  note?: string;
}

interface JsonReport {
  summary: Record<string, number>;
  driftDetected: boolean;
  entries: JsonEntry[];
  errors: { message: string }[];
  verification?: { dryRun: number; proof: number; clientSide: number; notVerifiable: number };
}

interface Run {
  code: number;
  report: JsonReport;
}

/** A repository of the engine fixtures and the verify corpus, each in a directory of its own. */
function writeRepository(): string {
  const root = mkdtempSync(join(tmpdir(), 'kube-drift-verify-'));
  const fixtures = join(REPO_ROOT, 'test/fixtures');
  cpSync(join(fixtures, 'engine/app'), join(root, 'app'), { recursive: true });
  cpSync(join(fixtures, 'engine/overlay'), join(root, 'overlay'), { recursive: true });
  cpSync(join(fixtures, 'engine/chart'), join(root, 'chart'), { recursive: true });
  cpSync(join(fixtures, 'engine/crd/resource.yaml'), join(root, 'cr/resource.yaml'));
  cpSync(join(fixtures, 'verify/workloads.yaml'), join(root, 'workloads/workloads.yaml'));
  return root;
}

const PATHS = ['app', 'overlay', 'chart', 'cr', 'workloads'];

async function cli(repo: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return spawnCli([...args, '--kubeconfig', kubeconfigPath()], {}, repo).done;
}

async function diff(repo: string, ns: string, paths: string[], verify: 'auto' | 'all'): Promise<Run> {
  const args = ['diff', '-n', ns, '--target', ns, '-o', 'json', '--verify', verify];
  for (const p of paths) args.push('--path', p);
  const run = await cli(repo, args);
  assert.ok(
    run.stdout.startsWith('{'),
    `expected a JSON report, got: ${run.stdout.slice(0, 300)} ${run.stderr}`,
  );
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport };
}

/**
 * Diffs in both modes, one right after the other, and asserts the same exit status, summary,
 * errors and entries (action, every field change with its attribution, diff, note).
 */
async function bothModes(
  repo: string,
  ns: string,
  paths = PATHS,
  t?: { diagnostic: (message: string) => void },
): Promise<{ auto: Run; all: Run }> {
  const all = await diff(repo, ns, paths, 'all');
  const auto = await diff(repo, ns, paths, 'auto');
  t?.diagnostic(`${ns}: verify auto ${JSON.stringify(auto.report.verification)}`);
  assert.deepEqual(auto.report.errors, all.report.errors);
  assert.deepEqual(auto.report.entries, all.report.entries);
  assert.deepEqual(auto.report.summary, all.report.summary);
  assert.equal(auto.code, all.code);
  const compared = all.report.entries.filter((e) => e.action !== 'skipped' && e.action !== 'deleted').length;
  assert.deepEqual(all.report.verification, { dryRun: compared, proof: 0, clientSide: 0, notVerifiable: 0 });
  const v = auto.report.verification;
  assert.equal((v?.dryRun ?? 0) + (v?.proof ?? 0), compared);
  return { auto, all };
}

/**
 * Client mode (no dry-run) on the same state: never drift the server does not report (no false
 * drift), and the server's drift either found or the object not verifiable, never missed silently.
 */
async function clientAgrees(
  repo: string,
  ns: string,
  server: JsonReport,
  t: { diagnostic: (message: string) => void },
): Promise<void> {
  const args = ['diff', '-n', ns, '--target', ns, '-o', 'json', '--diff-mode', 'client'];
  const run = await cli(repo, [...args, ...PATHS.flatMap((p) => ['--path', p])]);
  const client = JSON.parse(run.stdout) as JsonReport;
  t.diagnostic(`${ns}: client mode ${JSON.stringify(client.verification)}`);
  const key = (e: JsonEntry) => `${e.kind}/${e.name}`;
  const serverDrift = new Set(server.entries.filter((e) => e.action !== 'unchanged').map(key));
  for (const e of client.entries) {
    if (e.action === 'configured' || e.action === 'created' || e.action === 'deleted')
      assert.ok(serverDrift.has(key(e)), `client mode reports ${key(e)} ${e.action}, server mode does not`);
  }
  const clientAction = new Map(client.entries.map((e) => [key(e), e]));
  for (const subject of serverDrift) {
    const e = clientAction.get(subject);
    const unverifiable = e?.action === 'skipped' && e.note?.startsWith('not verifiable without a dry-run');
    assert.ok(
      e && (e.action !== 'unchanged' || unverifiable),
      `${subject}: server mode drift, client mode ${e?.action}`,
    );
  }
}

function drifted(report: JsonReport): string[] {
  return report.entries
    .filter((e) => e.action !== 'unchanged')
    .map((e) => `${e.kind}/${e.name} ${e.action} ${e.changes.map((c) => c.path).join(' ')}`.trim());
}

/** Applies the repository as its users would: kubectl apply --server-side, kustomize, helm install. */
async function applyAsUsersDo(repo: string, ns: string): Promise<void> {
  const n = ['-n', ns];
  for (const dir of ['app', 'cr', 'workloads'])
    await kubectlOk(['apply', '--server-side', ...n, '-f', join(repo, dir)]);
  await kubectlOk(['apply', '--server-side', ...n, '-k', join(repo, 'overlay')]);
  execFileSync(
    findTool('helm'),
    ['install', 'release', join(repo, 'chart'), '-n', ns, '--kubeconfig', kubeconfigPath()],
    {
      encoding: 'utf8',
    },
  );
}

/** Every kind of hand edit the engine tests make, and a few more (resources, tolerations, pause, RBAC, CR). */
async function editByHand(ns: string): Promise<void> {
  const n = ['-n', ns];
  const patch = (what: string, type: string, body: string) =>
    kubectlOk([...n, 'patch', what, '--type', type, '-p', body]);
  await kubectlOk([...n, 'scale', 'deployment/web', '--replicas=5']);
  await kubectlOk([...n, 'label', 'deployment/web', 'hotfix=true']);
  await kubectlOk([...n, 'label', 'deployment/web', 'tier-']);
  await kubectlOk([...n, 'annotate', 'deployment/web', 'note=edited by hand', '--overwrite']);
  await kubectlOk([...n, 'set', 'image', 'deployment/api', 'api=ghcr.io/example/api:1.0.1']);
  await kubectlOk([...n, 'set', 'env', 'deployment/api', 'MODE=debug', 'EXTRA=1']);
  await kubectlOk([...n, 'set', 'resources', 'deployment/probe', '-c', 'app', '--limits=cpu=2,memory=256Mi']);
  await patch(
    'deployment/worker',
    'json',
    '[{"op":"add","path":"/spec/template/spec/tolerations","value":[{"key":"spot","operator":"Exists"}]}]',
  );
  await kubectlOk([...n, 'rollout', 'pause', 'deployment/prod-cache']);
  await patch('service/web', 'json', '[{"op":"replace","path":"/spec/ports/0/port","value":8080}]');
  await patch('configmap/settings', 'json', '[{"op":"remove","path":"/data/COLOR"}]');
  await patch('secret/credentials', 'merge', '{"stringData":{"password":"edited-by-hand"}}');
  await patch('role/reader', 'json', '[{"op":"add","path":"/rules/0/verbs/-","value":"watch"}]');
  await patch('services.drift.kube-drift.dev/checkout', 'merge', '{"spec":{"owner":"ops"}}');
  await kubectlOk([...n, 'delete', 'rolebinding/reader']);
}

describe('verify auto against verify all', { timeout: 600_000 }, () => {
  let byKubectl: TestNamespace;
  let byDrift: TestNamespace;
  let repo: string;

  before(async () => {
    // The custom resource's CRD is shared with the engine test; applying it again changes nothing.
    await kubectlOk(['apply', '--server-side', '-f', join(REPO_ROOT, 'test/fixtures/engine/crd/crd.yaml')]);
    await kubectlOk(['wait', '--for=condition=Established', 'crd/services.drift.kube-drift.dev']);
    repo = writeRepository();
    byKubectl = await withNamespace('verify-kubectl');
    byDrift = await withNamespace('verify-applied');
    await applyAsUsersDo(repo, byKubectl.name);
    const applied = await cli(repo, [
      'apply',
      '-n',
      byDrift.name,
      '--target',
      byDrift.name,
      ...PATHS.flatMap((p) => ['--path', p]),
    ]);
    assert.equal(applied.code, 0, applied.stderr);
  });
  after(async () => {
    for (const ns of [byKubectl, byDrift]) {
      if (!ns) continue;
      await kubectl([
        '-n',
        'kube-drift-system',
        'delete',
        'configmap',
        `kube-drift-inventory-${ns.name}`,
        '--ignore-not-found',
      ]);
      await kubectl([
        '-n',
        ns.name,
        'delete',
        'services.drift.kube-drift.dev',
        '--all',
        '--ignore-not-found',
      ]);
      await ns.cleanup();
    }
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('applied by kubectl and helm: the same report, in sync, objects proved', async (t) => {
    const { auto } = await bothModes(repo, byKubectl.name, PATHS, t);
    assert.deepEqual(drifted(auto.report), []);
    await clientAgrees(repo, byKubectl.name, auto.report, t);
    assert.ok((auto.report.verification?.proof ?? 0) > 0, JSON.stringify(auto.report.verification));
  });

  it('applied by kube-drift: the same report, in sync, most objects proved', async (t) => {
    const { auto } = await bothModes(repo, byDrift.name, PATHS, t);
    assert.deepEqual(drifted(auto.report), []);
    await clientAgrees(repo, byDrift.name, auto.report, t);
    assert.ok((auto.report.verification?.proof ?? 0) > 0, JSON.stringify(auto.report.verification));
  });

  it('adopted by kube-drift apply, then edited by hand in every way: the same findings field by field', async (t) => {
    const adopted = await cli(repo, [
      'apply',
      '-n',
      byKubectl.name,
      '--target',
      byKubectl.name,
      ...PATHS.flatMap((p) => ['--path', p]),
    ]);
    assert.equal(adopted.code, 0, adopted.stderr);
    for (const ns of [byKubectl.name, byDrift.name]) await editByHand(ns);
    // Git drops a key the appliers (kubectl, then kube-drift) set: applying Git removes it.
    const config = join(repo, 'app/config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('  GREETING: hello\n', ''));
    for (const ns of [byKubectl.name, byDrift.name]) {
      const { auto } = await bothModes(repo, ns, PATHS, t);
      assert.equal(auto.code, 1);
      await clientAgrees(repo, ns, auto.report, t);
      const found = drifted(auto.report);
      for (const expected of [
        'Deployment/web configured',
        'Deployment/api configured',
        'Deployment/probe configured',
        'Deployment/worker configured',
        'Deployment/prod-cache configured',
        'Service/web configured',
        'ConfigMap/settings configured',
        'Secret/credentials configured',
        'Role/reader configured',
        'Service/checkout configured',
        'RoleBinding/reader created',
      ])
        assert.ok(
          found.some((line) => line.startsWith(expected)),
          `${expected} in:\n${found.join('\n')}`,
        );
      const settings = auto.report.entries.find((e) => e.kind === 'ConfigMap' && e.name === 'settings');
      assert.deepEqual(
        settings?.changes.map((c) => `${c.path}: ${c.before} -> ${c.after}`),
        ['/data/GREETING: hello -> undefined', '/data/COLOR: undefined -> blue'],
      );
    }
  });
});

describe('where the proof fails, the dry-run decides', { timeout: 300_000 }, () => {
  let ns: TestNamespace;
  let repo: string;

  before(async () => {
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-unproven-'));
    cpSync(join(REPO_ROOT, 'test/fixtures/verify/unproven.yaml'), join(repo, 'unproven/unproven.yaml'));
    ns = await withNamespace('verify-unproven');
    const applied = await cli(repo, ['apply', '-n', ns.name, '--target', ns.name, '--path', 'unproven']);
    assert.equal(applied.code, 0, applied.stderr);
    await waitFor(
      async () => (await kubectl(['-n', ns.name, 'get', 'configmap', 'dropped'])).code === 0,
      30_000,
      'the applied ConfigMap',
    );
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
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  // A default inside an atomic list and `{}` the server drops are proved since the proof compares
  // Git as the server stores it (src/drift/stored-form.ts); the finer quantity is still dry-run.
  it('a quantity finer than milli, a default inside an atomic list, {} the server drops: in sync', async () => {
    const { auto } = await bothModes(repo, ns.name, ['unproven']);
    assert.equal(auto.code, 0);
    assert.deepEqual(drifted(auto.report), []);
    const live = await kubectlOk([
      '-n',
      ns.name,
      'get',
      'deployment/quantity',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].resources.limits}',
    ]);
    assert.deepEqual(
      JSON.parse(live),
      { cpu: '1m', memory: '134217728' },
      'the server rounds resource lists up to milli',
    );
    assert.deepEqual(auto.report.verification, { dryRun: 1, proof: 4, clientSide: 0, notVerifiable: 0 });
  });

  it('a field removed from Git that kube-drift applied: reported removed, by dry-run', async () => {
    const file = join(repo, 'unproven/unproven.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  dropped: "2"\n', ''));
    const { auto } = await bothModes(repo, ns.name, ['unproven']);
    assert.equal(auto.code, 1);
    assert.deepEqual(drifted(auto.report), ['ConfigMap/dropped configured /data/dropped']);
    assert.deepEqual(auto.report.verification, { dryRun: 2, proof: 3, clientSide: 0, notVerifiable: 0 });
  });
});
