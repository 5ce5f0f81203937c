// The repository checkout a workflow runs in: a temporary Git repository with the fixture
// manifests committed as the pull request's base, and a head commit on top that leaves the
// manifests alone (so what the action finds is drift already in the cluster, not the PR's own
// change). The action's three-way preview reads the base commit from it, as it would from
// actions/checkout with enough history.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../support/cluster.ts';

export interface Workspace {
  dir: string;
  baseSha: string;
  headSha: string;
}

/** git in a test repository, with a fixed author and no system or user configuration. */
export function git(dir: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'kube-drift e2e',
      GIT_AUTHOR_EMAIL: 'e2e@example.invalid',
      GIT_COMMITTER_NAME: 'kube-drift e2e',
      GIT_COMMITTER_EMAIL: 'e2e@example.invalid',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  }).trim();
}

/**
 * A repository holding each `fixtures` directory (relative to the project root) under its
 * `as` name, and each of `files` (path in the repository → content), e.g. manifests a test
 * writes with values of its own.
 */
export function gitWorkspace(
  fixtures: Array<{ from: string; as: string }>,
  files: Record<string, string> = {},
): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'kube-drift-e2e-ws-'));
  for (const fixture of fixtures)
    cpSync(join(REPO_ROOT, fixture.from), join(dir, fixture.as), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  git(dir, ['add', '.']);
  git(dir, ['commit', '--quiet', '-m', 'manifests']);
  const baseSha = git(dir, ['rev-parse', 'HEAD']);
  return { dir, baseSha, headSha: pushCommit(dir) };
}

/** Another commit that leaves the manifests alone (a push to the PR branch); returns its SHA. */
export function pushCommit(dir: string): string {
  writeFileSync(join(dir, 'README.md'), `A change that is not a manifest: ${Date.now()}-${Math.random()}\n`);
  git(dir, ['add', 'README.md']);
  git(dir, ['commit', '--quiet', '-m', 'docs']);
  return git(dir, ['rev-parse', 'HEAD']);
}

/** Commits the work tree as it is (a pull request's own change); returns the commit's SHA. */
export function commitAll(dir: string, message: string): string {
  git(dir, ['add', '-A']);
  git(dir, ['commit', '--quiet', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']);
}
