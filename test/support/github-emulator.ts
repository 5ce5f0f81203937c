// A local stand-in for api.github.com: an HTTP server on 127.0.0.1 that keeps issue
// comments, check runs (with annotations), issues and labels in memory, and checks every
// request against GitHub's published REST description first (test/support/github/openapi.ts),
// so a request GitHub would refuse fails here too. Faults (403, 5xx, secondary rate limits)
// can be injected per operation to test how the client degrades.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MatchedOperation, matchOperation, validateRequest } from './github/openapi.ts';

export interface Fault {
  /** The spec's operationId, e.g. `checks/create`, `issues/create-comment`. */
  operationId: string;
  status: number;
  message?: string;
  /** How many requests fail before the route works again; default: all of them. */
  times?: number;
  headers?: Record<string, string>;
}

export const FORBIDDEN_FOR_INTEGRATION = 'Resource not accessible by integration';
export const SECONDARY_RATE_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';

/** Ready-made faults with the status, message and headers GitHub sends. */
export const faults = {
  forbidden: (operationId: string, times?: number): Fault => ({
    operationId,
    status: 403,
    message: FORBIDDEN_FOR_INTEGRATION,
    times,
  }),
  serverError: (operationId: string, times = 1): Fault => ({
    operationId,
    status: 502,
    message: 'Server Error',
    times,
  }),
  secondaryRateLimit: (operationId: string, times = 1): Fault => ({
    operationId,
    status: 403,
    message: SECONDARY_RATE_LIMIT_MESSAGE,
    times,
    headers: { 'retry-after': '1' },
  }),
};

export interface GitHubUser {
  login: string;
  id: number;
  node_id: string;
  type: 'User' | 'Bot';
  html_url: string;
}

export interface IssueComment {
  id: number;
  repo: string;
  issueNumber: number;
  body: string;
  user: GitHubUser;
  created_at: string;
  updated_at: string;
}

export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: string;
  message: string;
  title?: string;
  raw_details?: string;
  start_column?: number;
  end_column?: number;
}

export interface CheckRun {
  id: number;
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  details_url?: string;
  external_id?: string;
  started_at: string;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: CheckRunAnnotation[];
}

export interface Issue {
  id: number;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  user: GitHubUser;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string as sent, `?` included (empty when none). */
  query: string;
  operationId?: string;
  body?: unknown;
  /** The body as sent, whether or not it parsed. */
  rawBody?: string;
  status: number;
}

export interface EmulatorState {
  /** Every request received, in order, with the status it was answered with. */
  requests: RecordedRequest[];
  comments: IssueComment[];
  checkRuns: CheckRun[];
  issues: Issue[];
  labels: Map<string, { id: number; name: string; color: string }>;
  /** Pull request numbers that exist (per `owner/repo`); comments may be made on these and on issues. */
  pullRequests: Set<string>;
  faults: Fault[];
  /** The identity the token acts as; `installation` tokens are refused on GET /user, as GITHUB_TOKEN is. */
  tokenKind: 'pat' | 'installation';
  user: GitHubUser;
}

export interface GitHubEmulator {
  url: string;
  token: string;
  state: EmulatorState;
  addPullRequest(owner: string, repo: string, number: number): void;
  /** Adds a comment made by someone else (another bot, a person) to exercise the sticky comment lookup. */
  addComment(owner: string, repo: string, issueNumber: number, body: string, login: string): IssueComment;
  /** Requests for one operation, e.g. `issues/update-comment`. */
  requestsFor(operationId: string): RecordedRequest[];
  close(): Promise<void>;
}

export interface EmulatorOptions {
  /** The login the token belongs to; default `kube-drift-bot` for a PAT, `github-actions[bot]` for an installation token. */
  login?: string;
  tokenKind?: 'pat' | 'installation';
  /** The token clients must send; default `test-token`. */
  token?: string;
  faults?: Fault[];
  pullRequests?: Array<{ owner: string; repo: string; number: number }>;
}

const COMMENT_BODY_LIMIT = 65_536;

function userOf(login: string, id: number): GitHubUser {
  return {
    login,
    id,
    node_id: `U_${id}`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    html_url: `https://github.com/${login.replace(/\[bot\]$/, '')}`,
  };
}

function fullUser(user: GitHubUser, base: string): Record<string, unknown> {
  return {
    ...user,
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}`,
    gravatar_id: '',
    url: `${base}/users/${user.login}`,
    site_admin: false,
  };
}

class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startGitHubEmulator(options: EmulatorOptions = {}): Promise<GitHubEmulator> {
  const tokenKind = options.tokenKind ?? 'pat';
  const login = options.login ?? (tokenKind === 'installation' ? 'github-actions[bot]' : 'kube-drift-bot');
  const token = options.token ?? 'test-token';
  const state: EmulatorState = {
    requests: [],
    comments: [],
    checkRuns: [],
    issues: [],
    labels: new Map(),
    pullRequests: new Set((options.pullRequests ?? []).map((pr) => `${pr.owner}/${pr.repo}#${pr.number}`)),
    faults: [...(options.faults ?? [])],
    tokenKind,
    user: userOf(login, 41898282),
  };
  let nextId = 1000;
  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  let base = '';
  const web = 'https://github.com';

  const commentJson = (comment: IssueComment) => ({
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${base}/repos/${comment.repo}/issues/comments/${comment.id}`,
    html_url: `${web}/${comment.repo}/${state.pullRequests.has(`${comment.repo}#${comment.issueNumber}`) ? 'pull' : 'issues'}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${base}/repos/${comment.repo}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: fullUser(comment.user, base),
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    author_association: comment.user.type === 'Bot' ? 'NONE' : 'OWNER',
  });

  const checkRunJson = (run: CheckRun) => ({
    id: run.id,
    node_id: `CR_${run.id}`,
    head_sha: run.head_sha,
    external_id: run.external_id ?? '',
    url: `${base}/repos/${run.repo}/check-runs/${run.id}`,
    html_url: `${web}/${run.repo}/runs/${run.id}`,
    details_url: run.details_url ?? `${web}/${run.repo}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.started_at,
    completed_at: run.completed_at,
    name: run.name,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.annotations.length,
      annotations_url: `${base}/repos/${run.repo}/check-runs/${run.id}/annotations`,
    },
    check_suite: { id: 1 },
    app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' },
    pull_requests: [],
  });

  const labelJson = (name: string) => {
    const label = state.labels.get(name) ?? { id: 0, name, color: 'ededed' };
    return {
      ...label,
      node_id: `LA_${label.id}`,
      url: `${base}/labels/${encodeURIComponent(name)}`,
      default: false,
      description: null,
    };
  };

  const issueJson = (issue: Issue) => ({
    id: issue.id,
    node_id: `I_${issue.id}`,
    number: issue.number,
    url: `${base}/repos/${issue.repo}/issues/${issue.number}`,
    html_url: `${web}/${issue.repo}/issues/${issue.number}`,
    repository_url: `${base}/repos/${issue.repo}`,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.state_reason,
    labels: issue.labels.map(labelJson),
    user: fullUser(issue.user, base),
    comments: state.comments.filter((c) => c.repo === issue.repo && c.issueNumber === issue.number).length,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    locked: false,
    assignee: null,
    assignees: [],
    author_association: 'OWNER',
  });

  const ensureLabels = (names: unknown[]): string[] =>
    names.map((label) => {
      const name = typeof label === 'string' ? label : String((label as { name?: string }).name ?? '');
      if (!state.labels.has(name)) state.labels.set(name, { id: nextId++, name, color: 'ededed' });
      return name;
    });

  const page = <T>(items: T[], query: Record<string, string>, path: string) => {
    const perPage = Math.min(Number(query.per_page ?? 30), 100);
    const pageNumber = Number(query.page ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const links: string[] = [];
    const link = (n: number, rel: string) => {
      const params = new URLSearchParams({ ...query, per_page: String(perPage), page: String(n) });
      links.push(`<${base}${path}?${params}>; rel="${rel}"`);
    };
    if (pageNumber < last) {
      link(pageNumber + 1, 'next');
      link(last, 'last');
    }
    return {
      body: items.slice((pageNumber - 1) * perPage, pageNumber * perPage),
      headers: (links.length > 0 ? { link: links.join(', ') } : {}) as Record<string, string>,
    };
  };

  const handle = (
    matched: MatchedOperation,
    query: Record<string, string>,
    body: Record<string, unknown>,
    path: string,
  ): { status: number; body?: unknown; headers?: Record<string, string> } => {
    const params = matched.pathParams;
    const repo = `${params.owner}/${params.repo}`;
    const findIssue = (number: number) => state.issues.find((i) => i.repo === repo && i.number === number);
    const commentable = (number: number) => {
      if (!findIssue(number) && !state.pullRequests.has(`${repo}#${number}`))
        throw new HttpError(404, 'Not Found');
    };
    const checkBodyLength = (text: unknown, field: string) => {
      if (typeof text === 'string' && text.length > COMMENT_BODY_LIMIT) {
        throw new HttpError(
          422,
          `Validation Failed: ${field} is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`,
        );
      }
    };
    switch (matched.operationId) {
      case 'users/get-authenticated':
        if (state.tokenKind === 'installation') throw new HttpError(403, FORBIDDEN_FOR_INTEGRATION);
        return { status: 200, body: fullUser(state.user, base) };
      case 'issues/list-comments': {
        const number = Number(params.issue_number);
        commentable(number);
        const items = state.comments
          .filter((c) => c.repo === repo && c.issueNumber === number)
          .map(commentJson);
        return { status: 200, ...page(items, query, path) };
      }
      case 'issues/create-comment': {
        const number = Number(params.issue_number);
        commentable(number);
        checkBodyLength(body.body, 'body');
        const comment: IssueComment = {
          id: nextId++,
          repo,
          issueNumber: number,
          body: String(body.body),
          user: state.user,
          created_at: now(),
          updated_at: now(),
        };
        state.comments.push(comment);
        return { status: 201, body: commentJson(comment) };
      }
      case 'issues/update-comment': {
        const comment = state.comments.find((c) => c.repo === repo && c.id === Number(params.comment_id));
        if (!comment) throw new HttpError(404, 'Not Found');
        // GitHub lets a token edit only its own comments (short of admin rights).
        if (comment.user.login !== state.user.login) throw new HttpError(403, FORBIDDEN_FOR_INTEGRATION);
        checkBodyLength(body.body, 'body');
        comment.body = String(body.body);
        comment.updated_at = now();
        return { status: 200, body: commentJson(comment) };
      }
      case 'checks/create': {
        if (body.status === 'completed' && body.conclusion === undefined) {
          throw new HttpError(422, 'Invalid request.\n\nconclusion is required when status is completed');
        }
        const output = (body.output ?? {}) as Record<string, unknown>;
        const run: CheckRun = {
          id: nextId++,
          repo,
          name: String(body.name),
          head_sha: String(body.head_sha),
          status: body.conclusion !== undefined ? 'completed' : String(body.status ?? 'queued'),
          conclusion: (body.conclusion as string | undefined) ?? null,
          details_url: body.details_url as string | undefined,
          external_id: body.external_id as string | undefined,
          started_at: (body.started_at as string | undefined) ?? now(),
          completed_at:
            body.conclusion !== undefined ? ((body.completed_at as string | undefined) ?? now()) : null,
          output: {
            title: (output.title as string | undefined) ?? null,
            summary: (output.summary as string | undefined) ?? null,
            text: (output.text as string | undefined) ?? null,
          },
          annotations: [...((output.annotations as CheckRunAnnotation[] | undefined) ?? [])],
        };
        state.checkRuns.push(run);
        return { status: 201, body: checkRunJson(run) };
      }
      case 'checks/update': {
        const run = state.checkRuns.find((r) => r.repo === repo && r.id === Number(params.check_run_id));
        if (!run) throw new HttpError(404, 'Not Found');
        if (body.status === 'completed' && body.conclusion === undefined && run.conclusion === null) {
          throw new HttpError(422, 'Invalid request.\n\nconclusion is required when status is completed');
        }
        if (typeof body.name === 'string') run.name = body.name;
        if (typeof body.details_url === 'string') run.details_url = body.details_url;
        if (typeof body.status === 'string') run.status = body.status;
        if (typeof body.conclusion === 'string') {
          run.conclusion = body.conclusion;
          run.status = 'completed';
          run.completed_at = (body.completed_at as string | undefined) ?? now();
        }
        const output = body.output as Record<string, unknown> | undefined;
        if (output) {
          if (output.title !== undefined) run.output.title = output.title as string;
          run.output.summary = output.summary as string;
          if (output.text !== undefined) run.output.text = output.text as string;
          // Each update appends its annotations to those already there, as GitHub does.
          run.annotations.push(...((output.annotations as CheckRunAnnotation[] | undefined) ?? []));
        }
        return { status: 200, body: checkRunJson(run) };
      }
      case 'checks/get': {
        const run = state.checkRuns.find((r) => r.repo === repo && r.id === Number(params.check_run_id));
        if (!run) throw new HttpError(404, 'Not Found');
        return { status: 200, body: checkRunJson(run) };
      }
      case 'checks/list-annotations': {
        const run = state.checkRuns.find((r) => r.repo === repo && r.id === Number(params.check_run_id));
        if (!run) throw new HttpError(404, 'Not Found');
        const items = run.annotations.map((a) => ({
          ...a,
          blob_href: '',
          start_column: null,
          end_column: null,
        }));
        return { status: 200, ...page(items, query, path) };
      }
      case 'issues/list-for-repo': {
        const wanted = (query.labels ?? '').split(',').filter(Boolean);
        const stateFilter = query.state ?? 'open';
        const items = state.issues
          .filter((i) => i.repo === repo)
          .filter((i) => stateFilter === 'all' || i.state === stateFilter)
          .filter((i) => wanted.every((label) => i.labels.includes(label)))
          .sort((a, b) => (query.direction === 'asc' ? a.number - b.number : b.number - a.number))
          .map(issueJson);
        return { status: 200, ...page(items, query, path) };
      }
      case 'issues/get': {
        const issue = findIssue(Number(params.issue_number));
        if (!issue) throw new HttpError(404, 'Not Found');
        return { status: 200, body: issueJson(issue) };
      }
      case 'issues/create': {
        checkBodyLength(body.body, 'body');
        const numbers = [
          ...state.issues.filter((i) => i.repo === repo).map((i) => i.number),
          ...[...state.pullRequests]
            .filter((key) => key.startsWith(`${repo}#`))
            .map((key) => Number(key.split('#')[1])),
        ];
        const issue: Issue = {
          id: nextId++,
          repo,
          number: Math.max(0, ...numbers) + 1,
          title: String(body.title),
          body: (body.body as string | undefined) ?? null,
          state: 'open',
          state_reason: null,
          labels: ensureLabels((body.labels as unknown[] | undefined) ?? []),
          user: state.user,
          created_at: now(),
          updated_at: now(),
          closed_at: null,
        };
        state.issues.push(issue);
        return { status: 201, body: issueJson(issue) };
      }
      case 'issues/update': {
        const issue = findIssue(Number(params.issue_number));
        if (!issue) throw new HttpError(404, 'Not Found');
        checkBodyLength(body.body, 'body');
        if (typeof body.title === 'string') issue.title = body.title;
        if (body.body !== undefined) issue.body = body.body as string | null;
        if (Array.isArray(body.labels)) issue.labels = ensureLabels(body.labels);
        if (body.state === 'closed' && issue.state === 'open') {
          issue.state = 'closed';
          issue.closed_at = now();
          issue.state_reason = (body.state_reason as string | undefined) ?? 'completed';
        } else if (body.state === 'open' && issue.state === 'closed') {
          issue.state = 'open';
          issue.closed_at = null;
          issue.state_reason = 'reopened';
        }
        issue.updated_at = now();
        return { status: 200, body: issueJson(issue) };
      }
      default:
        // A real route the emulator does not model: fail loudly rather than pretend.
        throw new HttpError(501, `The GitHub emulator does not implement ${matched.operationId}`);
    }
  };

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      ...headers,
    });
    response.end(text);
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', base);
    const record: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      status: 0,
    };
    state.requests.push(record);
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      record.status = status;
      send(response, status, body, headers);
    };
    const error = (status: number, message: string, headers?: Record<string, string>) =>
      reply(
        status,
        { message, documentation_url: 'https://docs.github.com/rest', status: String(status) },
        headers,
      );
    try {
      const text = await readBody(request);
      record.rawBody = text;
      let body: unknown;
      if (text !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          return error(400, 'Problems parsing JSON');
        }
      }
      record.body = body;
      const authorization = request.headers.authorization ?? '';
      if (!/^(token|bearer) /i.test(authorization)) return error(401, 'Requires authentication');
      if (authorization.replace(/^(token|bearer) /i, '') !== token) return error(401, 'Bad credentials');
      const matched = matchOperation(record.method, url.pathname);
      if (!matched) return error(404, 'Not Found');
      record.operationId = matched.operationId;
      const query = Object.fromEntries(url.searchParams);
      const invalid = validateRequest(matched, query, body);
      if (invalid) return error(invalid.status, invalid.message);
      const fault = state.faults.find(
        (f) => f.operationId === matched.operationId && (f.times === undefined || f.times > 0),
      );
      if (fault) {
        if (fault.times !== undefined) fault.times--;
        return error(fault.status, fault.message ?? 'Injected fault', fault.headers);
      }
      const result = handle(matched, query, (body ?? {}) as Record<string, unknown>, url.pathname);
      return reply(result.status, result.body, result.headers);
    } catch (caught) {
      if (caught instanceof HttpError) return error(caught.status, caught.message, caught.headers);
      return error(500, caught instanceof Error ? caught.message : String(caught));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    token,
    state,
    addPullRequest(owner, repo, number) {
      state.pullRequests.add(`${owner}/${repo}#${number}`);
    },
    addComment(owner, repo, issueNumber, body, author) {
      const comment: IssueComment = {
        id: nextId++,
        repo: `${owner}/${repo}`,
        issueNumber,
        body,
        user: userOf(author, nextId++),
        created_at: now(),
        updated_at: now(),
      };
      state.comments.push(comment);
      return comment;
    },
    requestsFor(operationId) {
      return state.requests.filter((r) => r.operationId === operationId);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
