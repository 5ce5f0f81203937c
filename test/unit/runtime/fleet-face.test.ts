// When the action runs as a fleet: the config input, or kube-drift.yaml at the root when neither
// path nor target is given; summarize; and a pull request that adds the config (its base has
// none) runs as its inputs say.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fleetFace } from '../../../src/action-fleet.ts';
import type { ActionInputs } from '../../../src/action-inputs.ts';
import type { RunContext } from '../../../src/github/context.ts';
import { Redactor } from '../../../src/redaction.ts';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A repository whose base commit has no config, and whose work tree (the pull request) adds one. */
function repository(): { dir: string; base: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kube-drift-fleet-face-'));
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  git(dir, 'config', 'commit.gpgsign', 'false');
  writeFileSync(join(dir, 'README.md'), 'base\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '--quiet', '-m', 'base');
  writeFileSync(join(dir, 'kube-drift.yaml'), 'targets:\n  - name: a\n    paths: [a]\n');
  return { dir, base: git(dir, 'rev-parse', 'HEAD') };
}

function inputs(repoRoot: string, raw: Record<string, string>): ActionInputs {
  return {
    raw: { path: '.', target: 'default', config: '', summarize: '', ...raw },
    secret: () => undefined,
    parseContext: { repoRoot, isAction: true },
  };
}

const PUSH: RunContext = {
  eventName: 'push',
  owner: 'acme',
  repo: 'platform',
  sha: 'f'.repeat(40),
  ref: 'refs/heads/main',
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
};

describe('fleetFace', () => {
  const { dir, base } = repository();
  const redactor = new Redactor();

  it('is a fleet with the config input, or with kube-drift.yaml at the root and neither path nor target', () => {
    assert.ok(fleetFace(PUSH, inputs(dir, { config: 'fleet.yaml' }), redactor));
    assert.ok(fleetFace(PUSH, inputs(dir, {}), redactor));
    assert.ok(fleetFace(PUSH, inputs(dir, { summarize: 'reports/*.json' }), redactor));
  });

  it('is one target when path or target is given, or there is no config', () => {
    assert.equal(fleetFace(PUSH, inputs(dir, { path: 'apps' }), redactor), undefined);
    assert.equal(fleetFace(PUSH, inputs(dir, { target: 'staging' }), redactor), undefined);
    const empty = mkdtempSync(join(tmpdir(), 'kube-drift-fleet-face-empty-'));
    assert.equal(fleetFace(PUSH, inputs(empty, {}), redactor), undefined);
  });

  it('runs a pull request that adds kube-drift.yaml as its inputs say', async () => {
    const pullRequest: RunContext = {
      ...PUSH,
      eventName: 'pull_request',
      pullRequest: { number: 1, headSha: 'a'.repeat(40), baseSha: base, isFork: false },
    };
    const face = fleetFace(pullRequest, inputs(dir, {}), redactor);
    assert.ok(face);
    assert.equal(await face(), undefined);
  });
});
