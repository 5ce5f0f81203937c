// Where this run is: repository, commit, event and pull request, read from the environment
// GitHub Actions sets (https://docs.github.com/actions/reference/variables-reference) and
// the event payload file it points to.

import { readFileSync } from 'node:fs';
import { InputError } from '../errors.ts';

export interface PullRequestContext {
  number: number;
  headSha: string;
  baseSha: string;
  headRepoFullName?: string;
  /** The head branch lives in another repository: GitHub gives such runs a read-only token. */
  isFork: boolean;
}

export interface RunContext {
  eventName: string;
  owner: string;
  repo: string;
  sha: string;
  ref: string;
  serverUrl: string;
  apiUrl: string;
  runUrl?: string;
  workflow?: string;
  pullRequest?: PullRequestContext;
  defaultBranch?: string;
  actor?: string;
}

interface EventPayload {
  pull_request?: {
    number?: number;
    head?: { sha?: string; repo?: { full_name?: string } | null };
    base?: { sha?: string };
  };
  repository?: { default_branch?: string };
}

function readPayload(path: string | undefined): EventPayload {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`Cannot read the event payload ${path} (GITHUB_EVENT_PATH)`, {
      cause: error,
      file: path,
      hint: 'Run inside GitHub Actions, or point GITHUB_EVENT_PATH at a webhook payload JSON file.',
    });
  }
  try {
    return JSON.parse(text) as EventPayload;
  } catch (error) {
    throw new InputError(`The event payload ${path} (GITHUB_EVENT_PATH) is not valid JSON`, {
      cause: error,
      file: path,
      hint: 'GITHUB_EVENT_PATH must name the webhook payload JSON file GitHub writes for the run.',
    });
  }
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo, ...rest] = repository.split('/');
  if (!owner || !repo || rest.length > 0) {
    throw new InputError(`GITHUB_REPOSITORY must be "owner/repo", got ${JSON.stringify(repository)}`, {
      hint: 'Run inside GitHub Actions, or set GITHUB_REPOSITORY (and GITHUB_SHA, GITHUB_EVENT_NAME) yourself.',
    });
  }
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const apiUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  const context: RunContext = {
    eventName,
    owner,
    repo,
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    serverUrl,
    apiUrl,
  };
  if (env.GITHUB_RUN_ID) {
    context.runUrl = `${serverUrl}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`;
    if (env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1') {
      context.runUrl += `/attempts/${env.GITHUB_RUN_ATTEMPT}`;
    }
  }
  if (env.GITHUB_WORKFLOW) context.workflow = env.GITHUB_WORKFLOW;
  if (env.GITHUB_ACTOR) context.actor = env.GITHUB_ACTOR;
  const defaultBranch = payload.repository?.default_branch;
  if (defaultBranch) context.defaultBranch = defaultBranch;
  const pr = payload.pull_request;
  if (PULL_REQUEST_EVENTS.has(eventName) && pr && typeof pr.number === 'number') {
    // A deleted fork leaves head.repo null: treat it as a fork, its token is read-only too.
    const headRepoFullName = pr.head?.repo?.full_name;
    context.pullRequest = {
      number: pr.number,
      headSha: pr.head?.sha ?? context.sha,
      baseSha: pr.base?.sha ?? '',
      isFork:
        headRepoFullName === undefined || headRepoFullName.toLowerCase() !== `${owner}/${repo}`.toLowerCase(),
    };
    if (headRepoFullName) context.pullRequest.headRepoFullName = headRepoFullName;
  }
  return context;
}

/** The commit that reports and check runs belong to: the PR's head, not the merge commit. */
export function reportSha(context: RunContext): string {
  return context.pullRequest?.headSha ?? context.sha;
}

/** A link to a manifest line at the commit the report describes. */
export function fileUrl(context: RunContext, file: string, line: number): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${context.serverUrl}/${context.owner}/${context.repo}/blob/${reportSha(context)}/${path}#L${line}`;
}
