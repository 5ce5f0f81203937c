// Diff modes with the read-only identity (kube-drift-system/kube-drift-readonly: get/list/watch
// only). Server mode needs patch for its dry-run and must fail clearly; client mode must report
// exactly the drift server mode reports with the admin kubeconfig; auto falls back once.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FieldChange } from '../../../src/model.ts';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectlOk,
  readonlyKubeconfigPath,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';

const APP = 'test/fixtures/engine/app';

interface JsonEntry {
  kind: string;
  name: string;
  action: string;
  changes: FieldChange[];
  diffMode?: string;
  note?: string;
}

interface JsonReport {
  entries: JsonEntry[];
  errors: { message: string; object?: string }[];
}

async function diffJson(ns: string, paths: string[], extra: string[]) {
  const args = ['diff', '-n', ns, '--target', ns, '-o', 'json', ...extra];
  for (const p of paths) args.push('--path', p);
  const run = await runCli(args);
  assert.ok(run.stdout.startsWith('{'), `expected JSON, got ${run.stdout.slice(0, 300)} ${run.stderr}`);
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport, stderr: run.stderr };
}

/** What a reader compares across modes: each object's action and its field changes. */
function drift(report: JsonReport): string[] {
  return report.entries.map((e) => {
    const changes = e.changes.map(
      (c) => `${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`,
    );
    return `${e.kind}/${e.name} ${e.action}${changes.length ? `\n  ${changes.join('\n  ')}` : ''}`;
  });
}

/** The hand edits of test/integration/drift/engine.test.ts, one per kind of drift. */
async function editByHand(ns: string): Promise<void> {
  const n = ['-n', ns];
  await kubectlOk([...n, 'scale', 'deployment/web', '--replicas=5']);
  await kubectlOk([...n, 'label', 'deployment/web', 'hotfix=true']);
  await kubectlOk([...n, 'label', 'deployment/web', 'tier-']);
  await kubectlOk([...n, 'set', 'image', 'deployment/api', 'api=ghcr.io/example/api:1.0.1']);
  await kubectlOk([...n, 'set', 'env', 'deployment/api', 'MODE=debug']);
  const sidecar =
    '[{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"sidecar","image":"busybox:1.36"}}]';
  await kubectlOk([...n, 'patch', 'deployment/worker', '--type', 'json', '-p', sidecar]);
  const port = '[{"op":"replace","path":"/spec/ports/0/port","value":8080}]';
  await kubectlOk([...n, 'patch', 'service/web', '--type', 'json', '-p', port]);
  const secret = '{"stringData":{"password":"CANARY-hand-edit-4c1"}}';
  await kubectlOk([...n, 'patch', 'secret/credentials', '--type', 'merge', '-p', secret]);
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
  await kubectlOk([...n, 'create', 'configmap', 'stray', '--from-literal=a=b']);
  await kubectlOk([
    ...n,
    'label',
    'configmap/stray',
    'kube-drift.dev/owner=kube-drift',
    `kube-drift.dev/name=${ns}`,
  ]);
}

/** The objects of APP that editByHand leaves alone, in the report's (apply) order. */
const UNTOUCHED = [
  'ServiceAccount/reader',
  'Role/reader',
  'Secret/tls-like',
  'Deployment/scaled',
  'HorizontalPodAutoscaler/scaled',
];

describe('diff modes with a read-only identity', { timeout: 240_000 }, () => {
  let ns: TestNamespace;
  before(async () => {
    ns = await withNamespace('diffmode');
    await kubectlOk(['apply', '--server-side', '-n', ns.name, '-f', APP]);
    await editByHand(ns.name);
  });
  after(async () => ns?.cleanup());

  it('server mode fails with exit 2, naming the dry-run, the object, 403 and what to do', async () => {
    const { code, report } = await diffJson(
      ns.name,
      [APP],
      ['--kubeconfig', readonlyKubeconfigPath(), '--diff-mode', 'server'],
    );
    assert.equal(code, 2);
    const web = report.errors.find((e) => e.object === `Deployment/${ns.name}/web`);
    assert.ok(web, `no error for the web Deployment: ${report.errors.map((e) => e.object).join(', ')}`);
    assert.match(
      web.message,
      new RegExp(
        `^dry-run apply Deployment/${ns.name}/web: deployments.apps "web" is forbidden: User "system:serviceaccount:kube-drift-system:kube-drift-readonly" cannot patch resource "deployments" in API group "apps" in the namespace "${ns.name}" \\(HTTP 403\\)\\n  The credentials lack permission to dry-run apply Deployment/${ns.name}/web\\. Grant it with RBAC \\(see examples/rbac/\\), or use a mode that needs less \\(diff-mode: client needs no write verbs\\)\\.$`,
      ),
    );
    // Only the objects nobody edited are reported in sync: their live state proves it without a
    // dry-run (docs/in-sync-proof.md). Every other object needs the dry-run, and is an error.
    assert.deepEqual(
      report.entries.filter((e) => e.action === 'unchanged').map((e) => `${e.kind}/${e.name}`),
      UNTOUCHED,
    );
    const all = await diffJson(
      ns.name,
      [APP],
      ['--kubeconfig', readonlyKubeconfigPath(), '--diff-mode', 'server', '--verify', 'all'],
    );
    assert.equal(all.code, 2);
    assert.deepEqual(
      all.report.entries.filter((e) => e.action === 'unchanged').map((e) => `${e.kind}/${e.name}`),
      [],
      'with --verify all every object that exists needs the dry-run',
    );
  });

  it('client mode reports exactly the drift server mode reports with the admin kubeconfig', async () => {
    const server = await diffJson(
      ns.name,
      [APP],
      ['--kubeconfig', kubeconfigPath(), '--diff-mode', 'server'],
    );
    const client = await diffJson(
      ns.name,
      [APP],
      ['--kubeconfig', readonlyKubeconfigPath(), '--diff-mode', 'client'],
    );
    assert.deepEqual(server.report.errors, []);
    assert.deepEqual(client.report.errors, []);
    assert.deepEqual(drift(client.report), drift(server.report));
    assert.equal(client.code, 1);
    assert.equal(server.code, 1);
    // The figures of engine.test.ts: each hand edit found, once. The labelled ConfigMap made by
    // hand is in no inventory, so it is not listed as deleted (prune would never touch it).
    assert.equal(drift(client.report).filter((d) => !d.endsWith(' unchanged')).length, 7);
    assert.ok(!drift(client.report).some((d) => d.startsWith('ConfigMap/stray')));
    for (const e of client.report.entries.filter((e) => e.action !== 'deleted')) {
      assert.equal(e.diffMode, 'client', `${e.kind}/${e.name}`);
    }
    for (const e of server.report.entries.filter((e) => e.action !== 'deleted')) {
      assert.equal(e.diffMode, 'server', `${e.kind}/${e.name}`);
    }
  });

  it('auto mode falls back to client mode with exactly one warning', async () => {
    const auto = await diffJson(
      ns.name,
      [APP],
      ['--kubeconfig', readonlyKubeconfigPath(), '--diff-mode', 'auto'],
    );
    const client = await diffJson(
      ns.name,
      [APP],
      ['--kubeconfig', readonlyKubeconfigPath(), '--diff-mode', 'client'],
    );
    assert.deepEqual(auto.report.errors, []);
    assert.deepEqual(drift(auto.report), drift(client.report));
    const warnings = auto.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    assert.equal(warnings.length, 1, auto.stderr);
    assert.match(
      warnings[0],
      /^warning: dry-run is forbidden \(dry-run apply \S+: .* is forbidden: .*\); diffing in client mode, which compares without write verbs$/,
    );
    // Objects nobody edited, and the one given a container by hand (its Git fields unchanged:
    // the managed fields show the addition), are proved without a dry-run; the rest fell back.
    const byMode = (mode: string) =>
      auto.report.entries
        .filter((e) => e.action !== 'deleted' && e.diffMode === mode)
        .map((e) => `${e.kind}/${e.name}`);
    const proved = [...UNTOUCHED.slice(0, 4), 'Deployment/worker', UNTOUCHED[4]];
    assert.deepEqual(byMode('server'), proved);
    assert.equal(
      byMode('client').length + proved.length,
      auto.report.entries.filter((e) => e.action !== 'deleted').length,
    );
    assert.equal(client.stderr.includes('warning:'), false, 'client mode chosen on purpose warns of nothing');
  });
});

describe('client mode after kube-drift applied, as Git changes', { timeout: 240_000 }, () => {
  let ns: TestNamespace;
  let repo: string;
  before(async () => {
    ns = await withNamespace('diffmode-git');
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-diffmode-'));
    cpSync(APP, join(repo, 'app'), { recursive: true });
    const applied = await runCli([
      'apply',
      '--kubeconfig',
      kubeconfigPath(),
      '-n',
      ns.name,
      '--target',
      ns.name,
      '--path',
      join(repo, 'app'),
    ]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  });
  after(async () => {
    rmSync(repo, { recursive: true, force: true });
    await ns?.cleanup();
  });

  it('reports fields Git stopped setting as removed and new containers, ports and keys with server defaults', async () => {
    const workloads = join(repo, 'app', 'workloads.yaml');
    let text = readFileSync(workloads, 'utf8');
    // web: drop the tier label and the LOG_LEVEL variable (only kube-drift's apply owns them),
    // add a port; worker: add a container with a port and a probe.
    text = text.replace('    tier: frontend\n', '');
    text = text.replace('          env:\n            - name: LOG_LEVEL\n              value: info\n', '');
    text = text.replace(
      '            - containerPort: 80\n',
      '            - containerPort: 80\n            - containerPort: 9090\n              name: metrics\n',
    );
    text = text.replace(
      '          image: ghcr.io/example/worker:2.1.0\n',
      '          image: ghcr.io/example/worker:2.1.0\n        - name: exporter\n          image: ghcr.io/example/exporter:latest\n          ports:\n            - containerPort: 9100\n          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: 9100\n',
    );
    writeFileSync(workloads, text);
    const service = join(repo, 'app', 'service.yaml');
    writeFileSync(service, `${readFileSync(service, 'utf8')}    - name: https\n      port: 443\n`);
    const config = join(repo, 'app', 'config.yaml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('  COLOR: blue\n', '  COLOR: blue\n  SIZE: large\n'),
    );

    const path = join(repo, 'app');
    const server = await diffJson(
      ns.name,
      [path],
      ['--kubeconfig', kubeconfigPath(), '--diff-mode', 'server'],
    );
    const client = await diffJson(
      ns.name,
      [path],
      ['--kubeconfig', readonlyKubeconfigPath(), '--diff-mode', 'client'],
    );
    assert.deepEqual(server.report.errors, []);
    assert.deepEqual(client.report.errors, []);
    assert.deepEqual(drift(client.report), drift(server.report));
    const changed = drift(client.report).filter((d) => !d.endsWith(' unchanged'));
    assert.deepEqual(
      changed.map((d) => d.split('\n')[0]),
      [
        'ConfigMap/settings configured',
        'Service/web configured',
        'Deployment/web configured',
        'Deployment/worker configured',
      ],
    );
    const web = client.report.entries.find((e) => e.kind === 'Deployment' && e.name === 'web')!;
    assert.deepEqual(
      web.changes.map((c) => c.path),
      [
        '/metadata/labels/tier',
        '/spec/template/spec/containers/0/ports/1',
        '/spec/template/spec/containers/0/env',
      ],
    );
    // Containers and ports get the defaults the server is known to give; nothing is left to guess.
    assert.deepEqual(
      client.report.entries.filter((e) => e.note).map((e) => `${e.kind}/${e.name}: ${e.note}`),
      [],
    );
  });

  it('names what the server may default when Git adds a structure client mode cannot predict', async () => {
    const workloads = join(repo, 'app', 'workloads.yaml');
    const text = readFileSync(workloads, 'utf8').replace(
      '      containers:\n        - name: api\n',
      '      securityContext:\n        seccompProfile:\n          type: RuntimeDefault\n      containers:\n        - name: api\n',
    );
    writeFileSync(workloads, text);
    const client = await diffJson(
      ns.name,
      [join(repo, 'app')],
      ['--kubeconfig', readonlyKubeconfigPath(), '--diff-mode', 'client'],
    );
    const api = client.report.entries.find((e) => e.kind === 'Deployment' && e.name === 'api')!;
    assert.equal(api.action, 'configured');
    assert.equal(
      api.note,
      'client diff mode: the API server may default fields inside /spec/template/spec/securityContext/seccompProfile, which only a dry-run shows',
    );
  });
});
