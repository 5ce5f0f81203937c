// The three-way PR preview against the local control plane: a Git repository with a base and
// a head commit, a cluster applied from base and then edited by hand. `kube-drift diff --base`
// must tell the PR's own changes from drift already in the cluster, field by field, and
// fail-on must decide the exit status.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FieldChange } from '../../../src/model.ts';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectlOk,
  REPO_ROOT,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/threeway');
const IMAGE = '/spec/template/spec/containers/0/image';
const MODE = '/spec/template/spec/containers/0/env/0/value';

interface JsonEntry {
  kind: string;
  name: string;
  action: string;
  prStatus?: string;
  changes: FieldChange[];
}

interface JsonReport {
  entries: JsonEntry[];
  errors: { message: string }[];
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A repository with two commits: base (fixtures/base) and head (fixtures/head), manifests under deploy/. */
function makeRepository(): string {
  const repo = mkdtempSync(join(tmpdir(), 'kube-drift-threeway-'));
  git(repo, 'init', '--quiet', '--initial-branch=main');
  git(repo, 'config', 'user.email', 'test@example.com');
  git(repo, 'config', 'user.name', 'test');
  git(repo, 'config', 'commit.gpgsign', 'false');
  cpSync(join(FIXTURES, 'base'), join(repo, 'deploy'), { recursive: true });
  git(repo, 'add', '.');
  git(repo, 'commit', '--quiet', '-m', 'base');
  rmSync(join(repo, 'deploy'), { recursive: true });
  cpSync(join(FIXTURES, 'head'), join(repo, 'deploy'), { recursive: true });
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '-m', 'head: api 1.26.0, MODE fast, feature flags');
  return repo;
}

function entry(report: JsonReport, kind: string, name: string): JsonEntry {
  const found = report.entries.find((e) => e.kind === kind && e.name === name);
  assert.ok(found, `no entry for ${kind}/${name}`);
  return found;
}

/** path → class for every change of an entry. */
function classes(e: JsonEntry): Record<string, string | undefined> {
  return Object.fromEntries(e.changes.map((c) => [c.path, c.class]));
}

describe('three-way PR preview against the local control plane', { timeout: 240_000 }, () => {
  let ns: TestNamespace;
  let repo: string;
  const startDir = process.cwd();

  const diff = async (...extra: string[]) => {
    const run = await runCli([
      'diff',
      '--kubeconfig',
      kubeconfigPath(),
      '--namespace',
      ns.name,
      '--target',
      ns.name,
      ...extra,
      'deploy',
    ]);
    return run;
  };
  const diffJson = async (...extra: string[]): Promise<{ code: number; report: JsonReport }> => {
    const run = await diff('--output', 'json', ...extra);
    assert.ok(
      run.stdout.startsWith('{'),
      `expected a JSON report, got: ${run.stdout.slice(0, 300)} ${run.stderr}`,
    );
    return { code: run.code, report: JSON.parse(run.stdout) };
  };

  before(async () => {
    repo = makeRepository();
    // The CLI, like a user, runs from the repository's root.
    process.chdir(repo);
    ns = await withNamespace('threeway');
    await kubectlOk(['apply', '--server-side', '-n', ns.name, '-f', join(FIXTURES, 'base')]);
    const n = ['-n', ns.name];
    await kubectlOk([...n, 'scale', 'deployment/api', '--replicas=5']);
    await kubectlOk([...n, 'label', 'configmap/settings', 'tier=frontend', '--overwrite']);
    // A hot-fix on the very field the PR changes.
    await kubectlOk([...n, 'set', 'env', 'deployment/api', 'MODE=debug']);
  });
  after(async () => {
    process.chdir(startDir);
    if (repo) rmSync(repo, { recursive: true, force: true });
    await ns?.cleanup();
  });

  it('puts each field in its class: the PR, drift in the cluster, or both', async () => {
    const { code, report } = await diffJson('--base', 'HEAD~1');
    assert.deepEqual(report.errors, []);
    assert.equal(code, 1);
    const api = entry(report, 'Deployment', 'api');
    assert.deepEqual(classes(api), { '/spec/replicas': 'drift', [IMAGE]: 'pr', [MODE]: 'both' });
    assert.equal(api.prStatus, undefined);
    const settings = entry(report, 'ConfigMap', 'settings');
    assert.deepEqual(classes(settings), { '/metadata/labels/tier': 'drift' });
    const flags = entry(report, 'ConfigMap', 'feature-flags');
    assert.equal(flags.action, 'created');
    assert.equal(flags.prStatus, 'added');
  });

  it('shows the sections in order: the PR, both (called out), drift already in the cluster', async () => {
    const run = await diff('--output', 'markdown', '--base', 'HEAD~1');
    assert.equal(run.code, 1, run.stderr);
    const md = run.stdout;
    const headings = [
      '### Changes in this PR',
      '### Objects added or removed by this PR',
      '### ⚠️ Both changed by this PR and drifted in the cluster',
      '### Drift already in the cluster (merging reverts it)',
    ];
    const at = headings.map((heading) => md.indexOf(heading));
    assert.ok(
      at.every((i) => i !== -1),
      `missing a section: ${headings.filter((_, i) => at[i] === -1).join(', ')}`,
    );
    assert.deepEqual(
      [...at].sort((a, b) => a - b),
      at,
      'sections out of order',
    );
    const section = (i: number) => md.slice(at[i], i + 1 < at.length ? at[i + 1] : undefined);
    assert.match(
      section(0),
      /`spec\.template\.spec\.containers\[api\]\.image`: `"registry\.example\/api:1\.25\.0"` → `"registry\.example\/api:1\.26\.0"`/,
    );
    assert.match(section(1), /ConfigMap\/[^/]+\/feature-flags.*\n\n_added by this PR_/);
    assert.match(section(2), /\[!WARNING\]/);
    assert.match(section(2), /env\[MODE\]\.value`: `"debug"` → `"fast"` \(.*kubectl-set/);
    assert.match(section(3), /`spec\.replicas`: `5` → `2`/);
    assert.match(section(3), /`metadata\.labels\.tier`: `"frontend"` → `"backend"`/);
  });

  it('fail-on decides the exit status', async () => {
    // Base = head: nothing is the PR's, everything is drift already in the cluster.
    const table: Array<[string, string[], number]> = [
      ['PR changes and drift, fail-on any', ['--base', 'HEAD~1', '--fail-on', 'any'], 1],
      ['PR changes and drift, fail-on pr', ['--base', 'HEAD~1', '--fail-on', 'pr'], 1],
      ['PR changes and drift, fail-on drift', ['--base', 'HEAD~1', '--fail-on', 'drift'], 1],
      ['only drift, fail-on pr', ['--base', 'HEAD', '--fail-on', 'pr'], 0],
      ['only drift, fail-on drift', ['--base', 'HEAD', '--fail-on', 'drift'], 1],
    ];
    for (const [what, args, status] of table) {
      const { code, report } = await diffJson(...args);
      assert.equal(code, status, `${what}: exit status`);
      if (args[1] === 'HEAD') {
        assert.deepEqual(classes(entry(report, 'Deployment', 'api')), {
          '/spec/replicas': 'drift',
          [IMAGE]: 'drift',
          [MODE]: 'drift',
        });
        assert.equal(entry(report, 'ConfigMap', 'feature-flags').prStatus, undefined);
      }
    }
  });

  it('with three-way off, reports a plain live diff without classes', async () => {
    const { code, report } = await diffJson('--three-way', 'off');
    assert.equal(code, 1);
    assert.ok(
      report.entries.every((e) => e.prStatus === undefined && e.changes.every((c) => c.class === undefined)),
    );
    assert.equal(entry(report, 'Deployment', 'api').changes.length, 3);
  });

  it('names the missing base commit and the checkout depth to use', async () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const run = await diff('--base', sha);
    assert.equal(run.code, 2);
    assert.match(run.stderr, new RegExp(`the base commit ${sha} is not in the Git clone`));
    assert.match(run.stderr, /fetch-depth: 0/);
  });

  it('never touches the checkout it compares', () => {
    assert.equal(git(repo, 'status', '--porcelain'), '');
    assert.equal(git(repo, 'log', '--format=%s', '-1').trim(), 'head: api 1.26.0, MODE fast, feature flags');
  });

  it('only PR changes once the drift is gone: fail-on drift passes, fail-on pr fails', async () => {
    await kubectlOk([
      'apply',
      '--server-side',
      '--force-conflicts',
      '-n',
      ns.name,
      '-f',
      join(FIXTURES, 'base'),
    ]);
    const passing = await diffJson('--base', 'HEAD~1', '--fail-on', 'drift');
    assert.deepEqual(classes(entry(passing.report, 'Deployment', 'api')), { [IMAGE]: 'pr', [MODE]: 'pr' });
    assert.deepEqual(entry(passing.report, 'ConfigMap', 'settings').changes, []);
    assert.equal(passing.code, 0);
    assert.equal((await diffJson('--base', 'HEAD~1', '--fail-on', 'pr')).code, 1);
  });
});
