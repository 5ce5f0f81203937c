// fail-on pr against the local control plane when the only finding is an object missing from
// the cluster: one that base and head both have is drift, not the PR's, and must not fail the
// run; one the PR adds is the PR's and must. The report says outright that it is three-way.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../support/cli.ts';
import { kubeconfigPath, kubectlOk, type TestNamespace, withNamespace } from '../../support/cluster.ts';

interface JsonReport {
  comparison: { kind: string; base?: string };
  summary: Record<string, number>;
  entries: { kind: string; name: string; action: string; prStatus?: string; changes: unknown[] }[];
  errors: { message: string }[];
}

const configMap = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  owner: ${name}\n`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function commit(repo: string, message: string, files: Record<string, string>): string {
  mkdirSync(join(repo, 'deploy'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(repo, 'deploy', name), text);
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

describe('fail-on pr with an object missing from the cluster', { timeout: 180_000 }, () => {
  let ns: TestNamespace;
  let repo: string;
  let baseSha: string;
  const startDir = process.cwd();

  const diff = async (base: string, failOn: string): Promise<{ code: number; report: JsonReport }> => {
    const run = await runCli([
      'diff',
      '--kubeconfig',
      kubeconfigPath(),
      '--namespace',
      ns.name,
      '--target',
      ns.name,
      '--output',
      'json',
      '--base',
      base,
      '--fail-on',
      failOn,
      'deploy',
    ]);
    assert.ok(
      run.stdout.startsWith('{'),
      `expected a JSON report, got: ${run.stdout.slice(0, 300)} ${run.stderr}`,
    );
    return { code: run.code, report: JSON.parse(run.stdout) };
  };

  before(async () => {
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-missing-'));
    git(repo, 'init', '--quiet', '--initial-branch=main');
    git(repo, 'config', 'user.email', 'test@example.com');
    git(repo, 'config', 'user.name', 'test');
    git(repo, 'config', 'commit.gpgsign', 'false');
    // Base has `kept` and `lost`; the head commit adds `added`. The cluster has only `kept`.
    baseSha = commit(repo, 'base', { 'kept.yaml': configMap('kept'), 'lost.yaml': configMap('lost') });
    commit(repo, 'head: add a ConfigMap', { 'added.yaml': configMap('added') });
    process.chdir(repo);
    ns = await withNamespace('missing');
    await kubectlOk(['apply', '--server-side', '-n', ns.name, '-f', join(repo, 'deploy', 'kept.yaml')]);
  });
  after(async () => {
    process.chdir(startDir);
    if (repo) rmSync(repo, { recursive: true, force: true });
    await ns?.cleanup();
  });

  it('passes when the only finding is an object base and head both have (drift, not the PR)', async () => {
    // Base = head: the PR adds nothing, and `added` is missing exactly as `lost` is.
    const { code, report } = await diff('HEAD', 'pr');
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.comparison, { kind: 'three-way', base: git(repo, 'rev-parse', 'HEAD') });
    const created = report.entries.filter((e) => e.action === 'created').map((e) => [e.name, e.prStatus]);
    assert.deepEqual(created.sort(), [
      ['added', undefined],
      ['lost', undefined],
    ]);
    assert.ok(
      report.entries.every((e) => e.changes.length === 0),
      'no field changes: only missing objects',
    );
    assert.equal(code, 0, 'fail-on pr must not fail for objects the PR did not add');
    assert.equal((await diff('HEAD', 'drift')).code, 1, 'fail-on drift fails for them');
    assert.equal((await diff('HEAD', 'any')).code, 1, 'fail-on any fails for them');
  });

  it('the PR comment files the missing objects under drift, not under the PR', async () => {
    const run = await runCli([
      'diff',
      '--kubeconfig',
      kubeconfigPath(),
      '--namespace',
      ns.name,
      '--target',
      ns.name,
      '--output',
      'markdown',
      '--base',
      'HEAD',
      '--fail-on',
      'pr',
      'deploy',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /### Objects to create or delete/);
    assert.doesNotMatch(run.stdout, /by this PR/);
  });

  it('fails when the PR adds the missing object', async () => {
    const { code, report } = await diff(baseSha, 'pr');
    assert.deepEqual(report.comparison, { kind: 'three-way', base: baseSha });
    const byName = Object.fromEntries(report.entries.map((e) => [e.name, [e.action, e.prStatus]]));
    assert.deepEqual(byName, {
      kept: ['unchanged', undefined],
      lost: ['created', undefined],
      added: ['created', 'added'],
    });
    assert.equal(code, 1);
  });

  it('a live diff of the same cluster says so, and fails on the missing object', async () => {
    const run = await runCli([
      'diff',
      '--kubeconfig',
      kubeconfigPath(),
      '--namespace',
      ns.name,
      '--target',
      ns.name,
      '--output',
      'json',
      'deploy',
    ]);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.deepEqual(report.comparison, { kind: 'live' });
    assert.equal(run.code, 1);
  });
});
