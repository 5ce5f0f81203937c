// `kube-drift targets` as a user runs it in a Git repository (no cluster needed): the list, the
// GitHub Actions matrix, config errors with file:line: key, and --base reading the config of
// the base commit so a pull request cannot choose where credentials come from.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../support/cli.ts';

const BASE_CONFIG = `defaults:
  namespace: apps
targets:
  - name: staging
    paths: [clusters/staging]
    kubeconfig: { env: KUBECONFIG_STAGING }
  - name: production
    paths: [clusters/production, infra/production]
    kubeconfig: { file: /run/secrets/prod-kubeconfig }
    context: prod-admin
    remediate: { prune: true, max-deletions: 10 }
`;

/** What a pull request might propose: credentials from elsewhere, and a target of its own. */
const PR_CONFIG = `${BASE_CONFIG.replace('KUBECONFIG_STAGING', 'KUBECONFIG_PRODUCTION')}  - name: pr-only
    paths: [clusters/pr]
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** main holds BASE_CONFIG; the branch pr (checked out) changes it to PR_CONFIG. */
function makeRepository(): string {
  const repo = mkdtempSync(join(tmpdir(), 'kube-drift-targets-'));
  git(repo, 'init', '--quiet', '--initial-branch=main');
  git(repo, 'config', 'user.email', 'test@example.com');
  git(repo, 'config', 'user.name', 'test');
  git(repo, 'config', 'commit.gpgsign', 'false');
  writeFileSync(join(repo, 'kube-drift.yaml'), BASE_CONFIG);
  git(repo, 'add', '.');
  git(repo, 'commit', '--quiet', '-m', 'base');
  git(repo, 'checkout', '--quiet', '-b', 'pr');
  writeFileSync(join(repo, 'kube-drift.yaml'), PR_CONFIG);
  git(repo, 'commit', '--quiet', '-am', 'pr: change the config');
  return repo;
}

describe('kube-drift targets', () => {
  let repo: string;
  const cwd = process.cwd();
  before(() => {
    repo = makeRepository();
    process.chdir(repo);
  });
  after(() => {
    process.chdir(cwd);
    rmSync(repo, { recursive: true, force: true });
  });

  it('lists the targets of the work tree’s kube-drift.yaml', async () => {
    const run = await runCli(['targets']);
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
    assert.equal(
      run.stdout,
      [
        'staging     clusters/staging  [auto, namespace apps, kubeconfig $KUBECONFIG_PRODUCTION, diff]',
        'production  clusters/production, infra/production  [auto, namespace apps, kubeconfig /run/secrets/prod-kubeconfig (context prod-admin), remediate +prune]',
        'pr-only     clusters/pr  [auto, namespace apps, kubeconfig from the environment, diff]',
        '3 targets in kube-drift.yaml',
        '',
      ].join('\n'),
    );
  });

  it('--json prints a GitHub Actions matrix', async () => {
    const run = await runCli(['targets', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      include: [
        {
          target: 'staging',
          paths: ['clusters/staging'],
          source: 'auto',
          namespace: 'apps',
          remediate: false,
        },
        {
          target: 'production',
          paths: ['clusters/production', 'infra/production'],
          source: 'auto',
          namespace: 'apps',
          remediate: true,
        },
        { target: 'pr-only', paths: ['clusters/pr'], source: 'auto', namespace: 'apps', remediate: false },
      ],
    });
  });

  it('--base reads the config of the base commit, not the pull request’s', async () => {
    // An uncommitted edit too: neither the index nor the work tree may decide.
    writeFileSync(join(repo, 'kube-drift.yaml'), `${PR_CONFIG}  - name: uncommitted\n`);
    try {
      const run = await runCli(['targets', '--base', 'main', '--json']);
      assert.equal(run.code, 0, run.stderr);
      const matrix = JSON.parse(run.stdout) as { include: { target: string }[] };
      assert.deepEqual(
        matrix.include.map((t) => t.target),
        ['staging', 'production'],
      );
      assert.equal(
        run.stderr,
        "note: the work tree's config differs from kube-drift.yaml@main; the targets above are main's (a pull request does not choose its own targets or credentials)\n",
      );
      const text = await runCli(['targets', '--base', 'main']);
      assert.match(
        text.stdout,
        /^staging +clusters\/staging +\[auto, namespace apps, kubeconfig \$KUBECONFIG_STAGING, diff\]$/m,
      );
      assert.match(text.stdout, /^2 targets in kube-drift\.yaml@main$/m);
    } finally {
      git(repo, 'checkout', '--quiet', '--', 'kube-drift.yaml');
    }
    assert.equal(git(repo, 'status', '--porcelain'), '');
  });

  it('--base names the file at the commit in errors, and a base without a config', async () => {
    git(repo, 'checkout', '--quiet', '-b', 'broken', 'main');
    const same = await runCli(['targets', '--base', 'main']);
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stderr, '', 'no note when the work tree holds the base config');
    writeFileSync(
      join(repo, 'kube-drift.yaml'),
      BASE_CONFIG.replace('max-deletions: 10', 'max-deletions: ten'),
    );
    git(repo, 'commit', '--quiet', '-am', 'broken config');
    git(repo, 'checkout', '--quiet', 'pr');
    const broken = await runCli(['targets', '--base', 'broken']);
    assert.equal(broken.code, 2);
    assert.equal(broken.stdout, '');
    assert.equal(
      broken.stderr,
      'kube-drift: kube-drift.yaml@broken:11: targets[1].remediate.max-deletions must be a whole number from 0 to 1000000, not "ten"\n',
    );
    const none = await runCli(['targets', '--base', 'main', '--config', 'fleet/kube-drift.yaml']);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /^kube-drift: no config file: fleet\/kube-drift\.yaml at main cannot be read\n/,
    );
    const missingRef = await runCli(['targets', '--base', 'no-such-branch']);
    assert.equal(missingRef.code, 2);
    assert.match(missingRef.stderr, /the base commit no-such-branch is not in the Git clone/);
  });

  it('--config reads another file; errors name its path, line and key', async () => {
    mkdirSync(join(repo, 'fleet'), { recursive: true });
    writeFileSync(join(repo, 'fleet/kube-drift.yaml'), 'targets:\n  - name: a\n    source: helmfile\n');
    try {
      const run = await runCli(['targets', '--config', 'fleet/kube-drift.yaml']);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.equal(
        run.stderr,
        'kube-drift: fleet/kube-drift.yaml:3: targets[0].source must be one of auto, plain, kustomize, helm, flux, argocd, not "helmfile"\n',
      );
    } finally {
      rmSync(join(repo, 'fleet'), { recursive: true });
    }
    const missing = await runCli(['targets', '--config', 'nowhere.yaml']);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /^kube-drift: no config file: nowhere\.yaml cannot be read\n {2}Write kube-drift\.yaml/,
    );
  });

  it('--help shows the flags; an unknown flag is an error', async () => {
    const help = await runCli(['targets', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--base VALUE/);
    const bad = await runCli(['targets', '--matrix']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown option '--matrix'/);
    assert.match((await runCli(['--help'])).stdout, /^ {2}targets +List the targets of kube-drift\.yaml/m);
  });
});
