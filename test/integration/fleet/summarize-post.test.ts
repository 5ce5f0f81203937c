// `kube-drift summarize --post` in a pull request's roll-up job, against the GitHub emulator and
// with no cluster: one comment from the JSON reports, the base commit's config deciding which
// targets are expected (the pull request changed it), a failed check run for the target whose
// report is missing, the job summary; a second roll-up of the same reports changes nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { targetMarker } from '../../../src/github/markers.ts';
import { FLEET_MARKER } from '../../../src/github/publish-fleet.ts';
import { renderJson } from '../../../src/report/json.ts';
import { buildReport } from '../../../src/report/model.ts';
import { runCli } from '../../support/cli.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../support/github-emulator.ts';

const OWNER = 'acme';
const REPO = 'platform';
const PR = 31;
const BASE_CONFIG = `targets:
  - name: east
    paths: [clusters/east]
  - name: west
    paths: [clusters/west]
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

describe('kube-drift summarize --post', () => {
  let gh: GitHubEmulator;
  let repo: string;
  const saved = { ...process.env };
  const cwd = process.cwd();

  before(async () => {
    gh = await startGitHubEmulator({
      tokenKind: 'installation',
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
    });
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-summarize-post-'));
    git(repo, 'init', '--quiet', '--initial-branch=main');
    git(repo, 'config', 'user.email', 'test@example.com');
    git(repo, 'config', 'user.name', 'test');
    git(repo, 'config', 'commit.gpgsign', 'false');
    writeFileSync(join(repo, 'kube-drift.yaml'), BASE_CONFIG);
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'base');
    const base = git(repo, 'rev-parse', 'HEAD');
    // The pull request adds a target of its own: the roll-up must not expect it.
    writeFileSync(
      join(repo, 'kube-drift.yaml'),
      `${BASE_CONFIG}  - name: pr-only\n    paths: [clusters/pr]\n`,
    );
    mkdirSync(join(repo, 'reports'));
    const east = buildReport(
      { target: 'east', entries: [], errors: [] },
      { target: 'east', mode: 'diff', generatedAt: '2026-01-01T00:00:00Z', kubeDriftVersion: '0.1.0' },
    );
    writeFileSync(join(repo, 'reports', 'east.json'), renderJson(east));
    const event = join(repo, '..', `event-${PR}-${Date.now()}.json`);
    writeFileSync(
      event,
      JSON.stringify({ pull_request: { number: PR, head: { sha: 'a'.repeat(40) }, base: { sha: base } } }),
    );
    Object.assign(process.env, {
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_API_URL: gh.url,
      GITHUB_SHA: 'f'.repeat(40),
      GITHUB_REF: `refs/pull/${PR}/merge`,
      GITHUB_TOKEN: gh.token,
      GITHUB_STEP_SUMMARY: join(repo, '..', `summary-${PR}-${Date.now()}.md`),
    });
    writeFileSync(process.env.GITHUB_STEP_SUMMARY!, '');
    process.chdir(repo);
  });
  after(async () => {
    process.chdir(cwd);
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await gh?.close();
    rmSync(repo, { recursive: true, force: true });
  });

  it('posts one roll-up comment, fails the missing target’s check run and writes the job summary', async () => {
    const run = await runCli(['summarize', '--post', '--config', 'kube-drift.yaml', 'reports/east.json']);
    assert.equal(run.code, 2, run.stderr);
    const comments = gh.state.comments.filter((c) => c.issueNumber === PR);
    assert.equal(comments.length, 1, run.stderr);
    const body = comments[0].body;
    assert.equal(
      run.stdout,
      `${`https://github.com/${OWNER}/${REPO}/pull/${PR}#issuecomment-${comments[0].id}`}\n`,
    );
    assert.ok(body.includes(targetMarker(FLEET_MARKER)));
    assert.ok(body.includes('**2 targets: ❌ 1 with errors · ✅ 1 in sync**'), body);
    assert.ok(body.includes('- no report for target west: the job that diffs it left none'), body);
    assert.ok(!body.includes('pr-only'), 'the pull request’s own target is not expected');
    assert.ok(
      body.includes("This pull request changes kube-drift.yaml; the base commit's config was used"),
      body,
    );
    assert.deepEqual(
      gh.state.checkRuns.map((c) => [c.name, c.status, c.conclusion]),
      [['kube-drift / west', 'completed', 'failure']],
    );
    const summary = readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8');
    assert.ok(summary.includes('## kube-drift: 2 targets'), summary);
  });

  it('leaves the comment alone when a second roll-up finds the same', async () => {
    const run = await runCli(['summarize', '--post', '--config', 'kube-drift.yaml', 'reports/east.json']);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(gh.state.comments.filter((c) => c.issueNumber === PR).length, 1);
    assert.equal(gh.requestsFor('issues/update-comment').length, 0);
    assert.match(run.stderr, /roll-up comment is up to date/);
  });
});
