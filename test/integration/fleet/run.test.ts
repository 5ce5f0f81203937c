// A fleet in one run on the control plane: three targets of one kube-drift.yaml (two namespaces
// standing in for two clusters, and a server nobody answers at), diffed in one process. One
// roll-up with a section per target that is not in sync and one error; the unreachable target
// stops nothing. `kube-drift summarize` of the three JSON reports prints the same roll-up byte
// for byte (timestamps aside), and a missing report is that target's error.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inventoryName } from '../../../src/remediate/inventory.ts';
import { runCli } from '../../support/cli.ts';
import { kubeconfigPath, kubectlOk, type TestNamespace, withNamespace } from '../../support/cluster.ts';

const UNREACHABLE = `apiVersion: v1
kind: Config
clusters:
- name: gone
  cluster: { server: "https://127.0.0.1:1", insecure-skip-tls-verify: true }
users:
- name: gone
  user: { token: unreachable-token-0123456789 }
contexts:
- name: gone
  context: { cluster: gone, user: gone }
current-context: gone
`;

const ENV = 'KUBE_DRIFT_TEST_FLEET_UNREACHABLE';

function configMap(namespace: string, value: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${namespace}
data:
  mode: "${value}"
`;
}

/** Timestamps are the one thing a run and a roll-up of its reports may differ in. */
function timeless(text: string): string {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');
}

describe('several targets in one run, and their roll-up', () => {
  let synced: TestNamespace;
  let drifted: TestNamespace;
  let repo: string;
  const cwd = process.cwd();
  const names = { synced: '', drifted: '', gone: '' };

  before(async () => {
    synced = await withNamespace('fleet-a');
    drifted = await withNamespace('fleet-b');
    names.synced = `${synced.name}-t`;
    names.drifted = `${drifted.name}-t`;
    names.gone = `${drifted.name}-gone`;
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-fleet-run-'));
    for (const [dir, ns] of [
      ['a', synced.name],
      ['b', drifted.name],
      ['c', drifted.name],
    ]) {
      mkdirSync(join(repo, 'clusters', dir), { recursive: true });
      writeFileSync(join(repo, 'clusters', dir, 'settings.yaml'), configMap(ns, 'git'));
    }
    writeFileSync(
      join(repo, 'kube-drift.yaml'),
      `defaults:
  kubeconfig: { file: ${kubeconfigPath()} }
targets:
  - name: ${names.synced}
    paths: [clusters/a]
    namespace: ${synced.name}
  - name: ${names.drifted}
    paths: [clusters/b]
    namespace: ${drifted.name}
  - name: ${names.gone}
    paths: [clusters/c]
    kubeconfig: { env: ${ENV} }
`,
    );
    await kubectlOk(['apply', '--server-side', '--field-manager=kube-drift', '-f', '-'], {
      input: `${configMap(synced.name, 'git')}---\n${configMap(drifted.name, 'by-hand')}`,
    });
    process.env[ENV] = UNREACHABLE;
    // The unreachable server is retried within this budget (a minute by default).
    process.env.KUBE_DRIFT_RETRY_BUDGET_MS = '3000';
    process.chdir(repo);
  });
  after(async () => {
    process.chdir(cwd);
    delete process.env[ENV];
    delete process.env.KUBE_DRIFT_RETRY_BUDGET_MS;
    rmSync(repo, { recursive: true, force: true });
    await synced?.cleanup();
    await drifted?.cleanup();
  });

  let run: { code: number; stdout: string; stderr: string };
  const reports = () => [names.synced, names.drifted, names.gone].map((n) => join('reports', `${n}.json`));

  it('diffs every target; the unreachable one is its own error; the exit status is the worst', async () => {
    run = await runCli([
      'diff',
      '--config',
      'kube-drift.yaml',
      '--output',
      'markdown',
      '--report-file',
      'reports/{target}.json',
    ]);
    assert.equal(run.code, 2, run.stderr);
    const text = run.stdout;
    assert.equal(
      text.split('\n')[2],
      '**3 targets: ❌ 1 with errors · ⚠️ 1 with drift · ✅ 1 in sync**',
      text,
    );
    assert.ok(text.includes(`### In sync\n\n- ✅ **${names.synced}**: In sync: 1 object matches Git`), text);
    assert.equal(text.match(/^## kube-drift: /gm)?.length, 3, 'the headline and two sections');
    const drift = text.slice(
      text.indexOf(`## kube-drift: ${names.drifted}`),
      text.indexOf(`## kube-drift: ${names.gone}`),
    );
    assert.ok(drift.includes(`ConfigMap/${drifted.name}/settings`), drift);
    assert.ok(drift.includes('`"by-hand"` → `"git"`'), drift);
    const gone = text.slice(text.indexOf(`## kube-drift: ${names.gone}`));
    assert.match(gone, /### Errors \(1\)\n\n- .*127\.0\.0\.1:1/, gone);
    assert.ok(!run.stdout.includes('unreachable-token'), 'the kubeconfig from the environment is redacted');
    assert.match(run.stderr, new RegExp(`\\[${names.gone}\\] warning: target ${names.gone} failed`));
  });

  it('leaves one JSON report per target, the unreachable one holding its error', () => {
    const [, drift, gone] = reports().map((file) => JSON.parse(readFileSync(file, 'utf8')));
    assert.equal(drift.summary.configured, 1);
    assert.equal(gone.target, names.gone);
    assert.equal(gone.errors.length, 1);
    assert.match(gone.errors[0].message, /127\.0\.0\.1:1/);
  });

  it('summarize of the three reports prints the run’s roll-up byte for byte, timestamps aside', async () => {
    const rollUp = await runCli(['summarize', '--config', 'kube-drift.yaml', ...reports().reverse()]);
    assert.equal(rollUp.code, 2, rollUp.stderr);
    assert.equal(timeless(rollUp.stdout), timeless(run.stdout));
  });

  it('summarize reports a target of the config without a report as that target’s error', async () => {
    const [a, , c] = reports();
    const rollUp = await runCli(['summarize', '--config', 'kube-drift.yaml', a, c]);
    assert.equal(rollUp.code, 2);
    assert.equal(rollUp.stdout.split('\n')[2], '**3 targets: ❌ 2 with errors · ✅ 1 in sync**');
    const section = rollUp.stdout.slice(rollUp.stdout.indexOf(`## kube-drift: ${names.drifted}`));
    assert.ok(
      section.includes(`- no report for target ${names.drifted}: the job that diffs it left none`),
      section,
    );
  });

  it('--target runs only the targets named', async () => {
    const one = await runCli([
      'diff',
      '--config',
      'kube-drift.yaml',
      '--target',
      names.synced,
      '--output',
      'json',
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(JSON.parse(one.stdout).target, names.synced);
  });

  it('apply converges the targets named, each with its own inventory', async () => {
    const targets = `${names.synced},${names.drifted}`;
    const applied = await runCli([
      'apply',
      '--config',
      'kube-drift.yaml',
      '--target',
      targets,
      '--output',
      'json',
    ]);
    assert.equal(applied.code, 0, applied.stderr);
    const reports = JSON.parse(applied.stdout) as Array<{
      target: string;
      mode: string;
      summary: { configured: number };
    }>;
    assert.deepEqual(
      reports.map((r) => [r.target, r.mode, r.summary.configured]),
      [
        [names.synced, 'apply', 0],
        [names.drifted, 'apply', 1],
      ],
    );
    assert.equal(
      await kubectlOk(['get', 'configmap', 'settings', '-n', drifted.name, '-o', 'jsonpath={.data.mode}']),
      'git',
    );
    for (const target of [names.synced, names.drifted])
      assert.match(
        await kubectlOk([
          'get',
          'configmap',
          inventoryName(target),
          '-n',
          'kube-drift-system',
          '-o',
          'jsonpath={.data}',
        ]),
        /ConfigMap/,
        target,
      );
    const after = await runCli(['diff', '--config', 'kube-drift.yaml', '--target', targets]);
    assert.equal(after.code, 0, after.stdout);
  });
});
