// The action on a pull request whose kustomization reaches outside the checkout (the
// runner's environment, a file next to the workspace through `../` and a symlink, the token
// actions/checkout leaves in .git/config): the run fails naming the file and each path, and
// none of what lies outside (nor the credentials) is in anything the run let out.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubeconfigPath } from '../support/cluster.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../support/github-emulator.ts';
import { OWNER, pullRequestEvent, REPO, runAction } from './support/action.ts';
import { type Artifact, describeLeaks, filesUnder, findLeaks, type Needle } from './support/leaks.ts';
import { appWorkspace, logsOf, uniqueTarget } from './support/scenario.ts';
import type { Workspace } from './support/workspace.ts';

const PR = 31;
const hex = () => randomBytes(8).toString('hex');
const OUTSIDE_CANARY = `outside-canary-${hex()}`;
const GIT_CANARY = `checkout-token-${hex()}`;
const RUNTIME_CANARY = `runtime-token-${hex()}`;

function git(dir: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'pr author',
      GIT_AUTHOR_EMAIL: 'pr@example.invalid',
      GIT_COMMITTER_NAME: 'pr author',
      GIT_COMMITTER_EMAIL: 'pr@example.invalid',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  }).trim();
}

describe('pull request: a kustomization that reaches outside the checkout', () => {
  let gh: GitHubEmulator;
  let ws: Workspace;
  let head: string;
  let outside: string;
  let kubeconfigContent: string;

  before(async () => {
    kubeconfigContent = readFileSync(kubeconfigPath(), 'utf8');
    ws = appWorkspace();
    outside = join(dirname(ws.dir), `${basename(ws.dir)}-outside.txt`);
    writeFileSync(outside, `${OUTSIDE_CANARY}\n`);
    // What actions/checkout leaves behind with persist-credentials.
    appendFileSync(
      join(ws.dir, '.git/config'),
      `[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${GIT_CANARY}\n`,
    );
    mkdirSync(join(ws.dir, 'evil'));
    writeFileSync(
      join(ws.dir, 'evil/kustomization.yaml'),
      [
        'configMapGenerator:',
        '- name: innocent',
        '  files:',
        '  - env=/proc/self/environ',
        `  - ../../${basename(outside)}`,
        '  - notes.txt',
        '  - ../.git/config',
        '',
      ].join('\n'),
    );
    symlinkSync(outside, join(ws.dir, 'evil/notes.txt'));
    git(ws.dir, ['add', 'evil']);
    git(ws.dir, ['commit', '--quiet', '-m', 'an innocent ConfigMap']);
    head = git(ws.dir, ['rev-parse', 'HEAD']);
    gh = await startGitHubEmulator({
      tokenKind: 'installation',
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
    });
  });
  after(async () => {
    await gh?.close();
    rmSync(outside, { force: true });
    if (ws) rmSync(ws.dir, { recursive: true, force: true });
  });

  it('fails naming the file and each path, and lets nothing from outside out', async () => {
    const run = await runAction({
      event: pullRequestEvent('opened', PR, { head, base: ws.baseSha }),
      apiUrl: gh.url,
      token: gh.token,
      workspace: ws.dir,
      inputs: { path: 'evil', target: uniqueTarget('e2e-confine'), kubeconfig: kubeconfigContent },
      env: { ACTIONS_RUNTIME_TOKEN: RUNTIME_CANARY },
    });
    const logs = logsOf(run);
    assert.equal(run.code, 2, logs);
    for (const path of ['/proc/self/environ', `../../${basename(outside)}`, 'notes.txt', '../.git/config'])
      assert.ok(
        run.stdout.includes(`evil/kustomization.yaml: configMapGenerator[0].files '${path}'`),
        `${path} is not named: ${logs}`,
      );

    const all: Artifact[] = [
      {
        where: 'stdout',
        text: run.stdout
          .split('\n')
          .filter((line) => !line.startsWith('::add-mask::'))
          .join('\n'),
      },
      { where: 'stderr', text: run.stderr },
      ...filesUnder(run.runDir, 'run files', (path) => path.endsWith('event.json')),
      { where: 'GitHub emulator: state', text: JSON.stringify(gh.state) },
    ];
    const needles: Needle[] = [
      { name: 'the file outside the checkout', value: OUTSIDE_CANARY },
      { name: 'the token in .git/config', value: GIT_CANARY },
      { name: 'ACTIONS_RUNTIME_TOKEN', value: RUNTIME_CANARY },
      { name: 'the GitHub token', value: gh.token },
      { name: 'the inline kubeconfig', value: kubeconfigContent.trim() },
    ];
    const leaks = findLeaks(all, needles);
    assert.deepEqual(leaks, [], `leaked:\n${describeLeaks(leaks)}`);
  });
});
