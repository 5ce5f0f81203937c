// A repository as people have them, diffed with the default path `.`: compose, mkdocs and CI
// files beside the manifests are skipped with one notice, a broken manifest is still an error
// naming file and line, and --strict makes the skipped files errors again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';
import { spawnCli, writeRepo } from '../faults/support.ts';

const NOTICE =
  'skipped 2 YAML/JSON files with no apiVersion and no kind (not Kubernetes manifests): docker-compose.yml, mkdocs.yml. Set strict to make these errors.';

const FILES: Record<string, string> = {
  'docker-compose.yml': 'services:\n  web:\n    image: nginx:1.27\n    ports: ["8080:80"]\n',
  'mkdocs.yml':
    'site_name: My Docs\ntheme:\n  name: material\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n',
  '.github/workflows/ci.yml':
    'name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n',
  '.github/ISSUE_TEMPLATE/bug_report.yml':
    'name: Bug report\ndescription: Something is broken\nlabels: [bug]\nbody:\n  - type: textarea\n    id: what\n    attributes:\n      label: What happened?\n',
  'deploy/app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  level: info\n',
};

interface Report {
  driftDetected: boolean;
  entries: { kind: string; name: string; action: string; changes: { path: string }[] }[];
  errors: { message: string }[];
  notes?: string[];
}

describe('a real repository with the default path', { timeout: 120_000 }, () => {
  let ns: TestNamespace;
  let repo: string;
  const diff = (extra: string[] = []) =>
    spawnCli(
      ['diff', '--kubeconfig', kubeconfigPath(), '-n', ns.name, '--target', ns.name, ...extra],
      {},
      repo,
    ).done;

  before(async () => {
    ns = await withNamespace('real-repo');
    repo = writeRepo(mkdtempSync(join(tmpdir(), 'kube-drift-real-repo-')), FILES);
    // Live differs from Git: the run reports exactly this drift.
    await kubectlOk(['-n', ns.name, 'create', 'configmap', 'app', '--from-literal=level=debug']);
  });
  after(async () => {
    await ns?.cleanup();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('skips compose and mkdocs with one notice, never reads .github, and reports the drift', async () => {
    const run = await diff(['--output', 'json']);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(
      report.entries.map((e) => `${e.kind}/${e.name} ${e.action}`),
      ['ConfigMap/app configured'],
    );
    assert.deepEqual(
      report.entries[0].changes.map((c) => c.path),
      ['/data/level'],
    );
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.notes, [NOTICE]);
    assert.equal(run.stderr.split(NOTICE).length - 1, 1, `the notice once on stderr: ${run.stderr}`);
    assert.ok(run.stderr.includes(`warning: ${NOTICE}`), run.stderr);
    assert.ok(!`${run.stdout}${run.stderr}`.includes('.github'), 'nothing under .github is named');

    const text = await diff(['--output', 'text']);
    assert.equal(text.code, 1, text.stderr);
    assert.equal(text.stdout.split(NOTICE).length - 1, 1, `the note once in the report: ${text.stdout}`);
  });

  it('a document with a kind but no apiVersion is still an error naming file and line', async () => {
    const broken = join(repo, 'deploy/worker.yaml');
    writeFileSync(broken, '# the worker\n---\nkind: Deployment\nmetadata:\n  name: worker\n');
    try {
      const run = await diff(['--output', 'json']);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(
        run.stderr.split('\n')[0],
        'kube-drift: deploy/worker.yaml:3: document 1 has no apiVersion',
      );
      assert.equal(run.stdout, '');
    } finally {
      rmSync(broken);
    }
  });

  it('--strict: the compose and mkdocs files are errors, as before', async () => {
    const run = await diff(['--output', 'json', '--strict']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /^kube-drift: 2 problems while rendering manifests:\n {2}docker-compose\.yml:1: document 1 has no apiVersion, kind, metadata\.name\n {2}mkdocs\.yml:1: document 1 has no apiVersion, kind, metadata\.name\n/,
    );
    assert.ok(!run.stderr.includes('.github'), run.stderr);
  });

  it('apply: the same note in the apply report, and the manifest applied', async () => {
    const run = await spawnCli(
      ['apply', '--kubeconfig', kubeconfigPath(), '-n', ns.name, '--target', ns.name, '--output', 'json'],
      {},
      repo,
    ).done;
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(report.notes?.[0], NOTICE);
    const live = await kubectl(['-n', ns.name, 'get', 'configmap', 'app', '-o', 'jsonpath={.data.level}']);
    assert.equal(live.stdout, 'info');
  });
});
