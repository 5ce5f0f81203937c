// Runs the committed bundle (dist/index.js), or another one given, the way a GitHub runner
// does: a child process of Node 24 with the environment the runner sets — every input as
// INPUT_<NAME> (the defaults of action.yml included, as the runner fills them in), the event
// payload file, the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files — and reads back what the
// run left behind.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../../support/cluster.ts';

export const OWNER = 'acme';
export const REPO = 'platform';
export const DEFAULT_BRANCH = 'main';

export const ACTION_BUNDLE = join(REPO_ROOT, 'dist', 'index.js');
export const CLI_BUNDLE = join(REPO_ROOT, 'dist', 'cli.js');

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  /** What the step set with core.setOutput (read from the GITHUB_OUTPUT file). */
  outputs: Record<string, string>;
  /** The job summary file's content. */
  summary: string;
  /** The run's private directory: RUNNER_TEMP, TMPDIR, the payload, GITHUB_OUTPUT, the summary. */
  runDir: string;
  runnerTemp: string;
}

export interface ActionEvent {
  name: string;
  payload: Record<string, unknown>;
  sha: string;
  ref: string;
}

const GITHUB_TOKEN_EXPRESSION = ['$', '{{ github.token }}'].join('');

interface ActionYaml {
  inputs: Record<string, { default?: string }>;
}

/** The inputs with the defaults of action.yml filled in, as the runner does before the step starts. */
function inputsWithDefaults(inputs: Record<string, string>, token: string): Record<string, string> {
  const spec = parseYaml(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionYaml;
  const all: Record<string, string> = {};
  for (const [name, input] of Object.entries(spec.inputs)) {
    // The runner evaluates `${{ github.token }}` to the job's token.
    if (input.default !== undefined) all[name] = input.default.replace(GITHUB_TOKEN_EXPRESSION, token);
  }
  return { ...all, ...inputs };
}

/** `INPUT_<NAME>`: upper case, spaces to underscores, dashes kept (what @actions/core reads). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export function node24(): string {
  // The tests run under Node 24 (node_modules/.bin/node); the action must run under it too.
  return process.execPath;
}

/** Collects a child's output; never throws on a non-zero exit status. */
export function runProcess(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node24(), args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8') + (signal ? `\n(killed by ${signal})` : ''),
      }),
    );
  });
}

/** A base environment without the test runner's own GitHub or INPUT_ variables. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_|KUBECONFIG$|NODE_TEST|NODE_OPTIONS$)/.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** Parses GITHUB_OUTPUT: `name<<delimiter\nvalue\ndelimiter` blocks (and plain `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]);
      outputs[name] = value.join('\n');
      continue;
    }
    const plain = /^([^=]+)=(.*)$/.exec(lines[i]);
    if (plain) outputs[plain[1]] = plain[2];
  }
  return outputs;
}

export interface RunActionOptions {
  event: ActionEvent;
  inputs: Record<string, string>;
  apiUrl: string;
  token: string;
  /** GITHUB_WORKSPACE; default the repository root. */
  workspace?: string;
  /** Extra environment, e.g. RUNNER_DEBUG. */
  env?: Record<string, string>;
  /** The action bundle to run; default the committed dist/index.js. */
  bundle?: string;
}

export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const runDir = mkdtempSync(join(tmpdir(), 'kube-drift-e2e-'));
  const runnerTemp = join(runDir, 'runner-temp');
  const childTmp = join(runDir, 'tmp');
  mkdirSync(runnerTemp);
  mkdirSync(childTmp);
  const eventPath = join(runDir, 'event.json');
  const outputPath = join(runDir, 'github-output');
  const summaryPath = join(runDir, 'step-summary.md');
  writeFileSync(eventPath, JSON.stringify(options.event.payload, null, 2));
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');
  const workspace = options.workspace ?? REPO_ROOT;

  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: '__run',
    GITHUB_ACTOR: 'octocat',
    GITHUB_API_URL: options.apiUrl,
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_JOB: 'drift',
    GITHUB_OUTPUT: outputPath,
    GITHUB_REF: options.event.ref,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_REPOSITORY_OWNER: OWNER,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_ID: String(1000 + Math.floor(Math.random() * 1e6)),
    GITHUB_RUN_NUMBER: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: options.event.sha,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_WORKFLOW: 'drift',
    GITHUB_WORKSPACE: workspace,
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: runnerTemp,
    TMPDIR: childTmp,
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputsWithDefaults(options.inputs, options.token))) {
    env[inputEnvName(name)] = value;
  }
  const result = await runProcess([options.bundle ?? ACTION_BUNDLE], { env, cwd: workspace });
  return {
    ...result,
    outputs: parseOutputFile(readFileSync(outputPath, 'utf8')),
    summary: readFileSync(summaryPath, 'utf8'),
    runDir,
    runnerTemp,
  };
}

// ---- event payloads ------------------------------------------------------------------

interface WebhookExample {
  name: string;
  examples: Array<Record<string, unknown>>;
}

let examples: WebhookExample[] | undefined;

function example(name: string, pick: (payload: Record<string, unknown>) => boolean): Record<string, unknown> {
  examples ??= JSON.parse(
    readFileSync(
      join(REPO_ROOT, 'node_modules/@octokit/webhooks-examples/api.github.com/index.json'),
      'utf8',
    ),
  ) as WebhookExample[];
  const found = examples.find((e) => e.name === name)?.examples.find(pick);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${name} example that fits`);
  return structuredClone(found);
}

export function randomSha(): string {
  return randomBytes(20).toString('hex');
}

/** The example's repository, moved to the emulator's OWNER/REPO with `main` as default branch. */
function ourRepository(payload: Record<string, unknown>): void {
  const repository = payload.repository as Record<string, unknown>;
  repository.name = REPO;
  repository.full_name = `${OWNER}/${REPO}`;
  (repository.owner as Record<string, unknown>).login = OWNER;
  repository.default_branch = DEFAULT_BRANCH;
  repository.master_branch = DEFAULT_BRANCH;
}

/** A `pull_request` event (action opened or synchronize) for PR `number` of OWNER/REPO. */
export function pullRequestEvent(
  action: 'opened' | 'synchronize',
  number: number,
  commits: { head: string; base: string },
): ActionEvent {
  const headSha = commits.head;
  const payload = example('pull_request', (p) => p.action === action);
  ourRepository(payload);
  payload.number = number;
  const pr = payload.pull_request as {
    number: number;
    head: Record<string, unknown>;
    base: Record<string, unknown>;
  };
  pr.number = number;
  pr.head.sha = headSha;
  pr.head.ref = 'feature';
  pr.head.repo = structuredClone(payload.repository);
  pr.base.sha = commits.base;
  pr.base.ref = DEFAULT_BRANCH;
  pr.base.repo = structuredClone(payload.repository);
  // GitHub checks out the merge commit: GITHUB_SHA is it, the report belongs to the head.
  return { name: 'pull_request', payload, sha: randomSha(), ref: `refs/pull/${number}/merge` };
}

/** A `push` to the default branch. */
export function pushEvent(sha: string): ActionEvent {
  const payload = example('push', (p) => p.ref === 'refs/heads/master');
  ourRepository(payload);
  payload.ref = `refs/heads/${DEFAULT_BRANCH}`;
  payload.after = sha;
  const headCommit = payload.head_commit as Record<string, unknown> | null;
  if (headCommit) headCommit.id = sha;
  return { name: 'push', payload, sha, ref: `refs/heads/${DEFAULT_BRANCH}` };
}

/**
 * A `schedule` event. @octokit/webhooks-examples has none (schedule is not a webhook), so
 * this is the payload GitHub writes for one: the cron line, the repository, organization and
 * sender, taken from a workflow_dispatch example of the package and adjusted.
 */
export function scheduleEvent(sha: string): ActionEvent {
  const base = example('workflow_dispatch', () => true);
  const payload: Record<string, unknown> = {
    schedule: '17 * * * *',
    repository: base.repository,
    organization: base.organization,
    sender: base.sender,
    workflow: '.github/workflows/drift.yml',
  };
  ourRepository(payload);
  return { name: 'schedule', payload, sha, ref: `refs/heads/${DEFAULT_BRANCH}` };
}
