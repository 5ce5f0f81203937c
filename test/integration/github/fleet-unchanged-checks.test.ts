// The example fleet workflow's "no changes for this target" step, run as actions/github-script
// runs it (its script with `github`, `context` and the step's env) against the GitHub
// emulator, which checks each request against GitHub's REST description: every unchanged
// target gets a completed, successful check run named as the action names its own, on the
// pull request's head commit.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { parse } from 'yaml';
import { createOctokit } from '../../../src/github/client.ts';
import { Redactor } from '../../../src/redaction.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../support/github-emulator.ts';

const OWNER = 'acme';
const REPO = 'fleet';
const HEAD = 'c'.repeat(40);
const BASE = 'b'.repeat(40);

interface Step {
  uses?: string;
  env?: Record<string, string>;
  with?: { script?: string };
}

const workflow = parse(readFileSync('examples/workflows/fleet.yml', 'utf8')) as {
  jobs: { targets: { steps: Step[] } };
};
const step = workflow.jobs.targets.steps.find((s) => s.uses?.startsWith('actions/github-script@'));

let emulator: GitHubEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** github-script's AsyncFunction with its arguments; the step's env is what `process.env` shows it. */
async function runScript(gh: GitHubEmulator, env: Record<string, string>): Promise<void> {
  assert.ok(step?.with?.script, 'the workflow has a github-script step');
  assert.deepEqual(Object.keys(step.env ?? {}).sort(), Object.keys(env).sort());
  const log = { info: () => {}, warning: () => {} };
  const github = createOctokit(gh.token, { apiUrl: gh.url, fast: true, log, redactor: new Redactor() });
  const context = {
    repo: { owner: OWNER, repo: REPO },
    sha: 'f'.repeat(40),
    payload: { pull_request: { number: 3, head: { sha: HEAD }, base: { sha: BASE } } },
  };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<void>;
  const script = new AsyncFunction('github', 'context', 'process', step.with.script);
  await script(github, context, { env });
}

describe('examples/workflows/fleet.yml: check runs for unchanged targets', () => {
  it('completes one successful check run per unchanged target on the head commit', async () => {
    emulator = await startGitHubEmulator();
    await runScript(emulator, { UNCHANGED: '["east","charts"]', BASE });
    const runs = emulator.state.checkRuns.map((run) => ({
      name: run.name,
      head_sha: run.head_sha,
      status: run.status,
      conclusion: run.conclusion,
      title: run.output.title,
      summary: run.output.summary,
    }));
    const summary = `Nothing this target renders, nor its config entry or ignore file, changed since ${BASE.slice(0, 7)}: it was not diffed.`;
    assert.deepEqual(runs, [
      {
        name: 'kube-drift / east',
        head_sha: HEAD,
        status: 'completed',
        conclusion: 'success',
        title: 'No changes for this target',
        summary,
      },
      {
        name: 'kube-drift / charts',
        head_sha: HEAD,
        status: 'completed',
        conclusion: 'success',
        title: 'No changes for this target',
        summary,
      },
    ]);
    assert.ok(emulator.state.requests.every((request) => request.status < 300));
  });

  it('posts nothing when every target changed', async () => {
    emulator = await startGitHubEmulator();
    await runScript(emulator, { UNCHANGED: '[]', BASE });
    assert.deepEqual(emulator.state.checkRuns, []);
  });
});
