// `kube-drift targets --changed-since` with a Flux target (the production fixture: Kustomizations
// whose spec.path has no kustomization.yaml, a shared base, a HelmRelease with a chart in the
// repository) beside a plain one: Flux reads a spec.path tree whole, so adding or deleting a file
// there counts; files Flux never reads do not.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../support/cli.ts';

const FIXTURE = resolve(import.meta.dirname, '../../fixtures/flux/production');

const CONFIG = `targets:
  - name: flux-prod
    paths: [clusters/production]
    source: flux
  - name: plain
    paths: [plain]
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('kube-drift targets --changed-since with a Flux target', () => {
  let repo: string;
  const cwd = process.cwd();
  before(() => {
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-changed-flux-'));
    cpSync(FIXTURE, repo, { recursive: true });
    writeFileSync(join(repo, 'kube-drift.yaml'), CONFIG);
    mkdirSync(join(repo, 'plain'));
    writeFileSync(join(repo, 'plain/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n');
    writeFileSync(join(repo, 'NOTES.md'), 'notes\n');
    writeFileSync(
      join(repo, 'infrastructure/spare.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: spare}\n',
    );
    git(repo, 'init', '--quiet', '--initial-branch=main');
    git(repo, 'config', 'user.email', 'test@example.com');
    git(repo, 'config', 'user.name', 'test');
    git(repo, 'config', 'commit.gpgsign', 'false');
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'flux and plain');
    process.chdir(repo);
  });
  after(() => {
    process.chdir(cwd);
    rmSync(repo, { recursive: true, force: true });
  });

  /** Applies `change` to the work tree, returns the targets kept and what stderr says, then restores main. */
  async function keptAfter(change: () => void) {
    change();
    try {
      const run = await runCli(['targets', '--changed-since', 'main', '--json']);
      assert.equal(run.code, 0, run.stderr);
      const matrix = JSON.parse(run.stdout) as { include: { target: string }[] };
      return { kept: matrix.include.map((t) => t.target), stderr: run.stderr };
    } finally {
      git(repo, 'checkout', '--quiet', '--', '.');
      git(repo, 'clean', '--quiet', '-fd');
    }
  }

  const edit = (file: string, text: string) => () => {
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    writeFileSync(join(repo, file), text);
  };

  it('nothing changed: no target, the Flux one rendered without errors', async () => {
    const run = await keptAfter(() => {});
    assert.deepEqual(run.kept, []);
    assert.equal(run.stderr, '');
  });

  it('a file added to or deleted from a spec.path without a kustomization keeps the Flux target', async () => {
    const added = await keptAfter(
      edit('infrastructure/extra.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: extra}\n'),
    );
    assert.deepEqual(added.kept, ['flux-prod']);
    assert.equal(added.stderr, 'flux-prod: files its render reads changed: infrastructure/extra.yaml\n');
    const deleted = await keptAfter(() => rmSync(join(repo, 'infrastructure/spare.yaml')));
    assert.deepEqual(deleted.kept, ['flux-prod']);
    assert.equal(deleted.stderr, 'flux-prod: files its render reads changed: infrastructure/spare.yaml\n');
  });

  it('a shared base and the HelmRelease chart keep the Flux target; the plain tree keeps only its own', async () => {
    const base = await keptAfter(edit('apps/base/podinfo/deployment.yaml', 'kind: Broken\n'));
    assert.deepEqual(base.kept, ['flux-prod']);
    assert.match(
      base.stderr,
      /^flux-prod: .*files its render reads changed: apps\/base\/podinfo\/deployment\.yaml\n$/,
    );
    const chart = await keptAfter(edit('charts/hello/values.yaml', 'greeting: changed\n'));
    assert.deepEqual(chart.kept, ['flux-prod']);
    assert.equal(chart.stderr, 'flux-prod: files its render reads changed: charts/hello/values.yaml\n');
    const plain = await keptAfter(
      edit('plain/more.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: more}\n'),
    );
    assert.deepEqual(plain.kept, ['plain']);
    const notes = await keptAfter(() => {
      edit('NOTES.md', 'edited\n')();
      // Walked directories read manifests only: a README in them is not read.
      edit('plain/README.md', 'about plain\n')();
      edit('infrastructure/README.md', 'about infrastructure\n')();
    });
    assert.deepEqual(notes.kept, []);
  });
});
