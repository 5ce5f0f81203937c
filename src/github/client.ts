// The Octokit every GitHub call goes through: @actions/github's client (proxy-aware, base
// URL from GITHUB_API_URL) with retries on 5xx and backoff on rate limits, and a request hook
// that redacts every parameter a request carries, so no call (today's or a later one) can send
// a Secret value to GitHub. The only module that imports @actions/github or @octokit.

import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Redactor } from '../redaction.ts';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface PublishLog {
  info(message: string): void;
  warning(message: string): void;
}

export interface ClientOptions {
  apiUrl: string;
  /** Required: every request's parameters pass through it. */
  redactor: Redactor;
  log?: PublishLog;
  /** How many times a request refused by a rate limit is tried again. */
  rateLimitRetries?: number;
  /**
   * For tests against the emulator: milliseconds instead of seconds for every backoff, and
   * no 1 s spacing between writes (GitHub asks for it; a local emulator does not need it).
   */
  fast?: boolean;
}

/** A limiter group that runs jobs at once: stands in for the throttling plugin's write spacing. */
const unthrottledGroup = {
  key: () => ({
    schedule: (...args: unknown[]) => {
      const [job, ...rest] = (typeof args[0] === 'function' ? args : args.slice(1)) as [
        (...a: unknown[]) => unknown,
        ...unknown[],
      ];
      return Promise.resolve(job(...rest));
    },
  }),
};

export function createOctokit(token: string, options: ClientOptions): GitHubClient {
  const retries = options.rateLimitRetries ?? 2;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const again = retryCount < retries;
      options.log?.info(
        `GitHub ${kind} hit on ${request.method} ${request.url}${again ? `; retrying after ${retryAfter} s` : '; giving up'}`,
      );
      return again;
    };
  const baseValue = options.fast ? 1 : 1000;
  const octokit = getOctokit(
    token,
    {
      baseUrl: options.apiUrl,
      retry: { retries: 3, retryAfterBaseValue: baseValue },
      throttle: {
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
        retryAfterBaseValue: baseValue,
        ...(options.fast ? { write: unthrottledGroup, notifications: unthrottledGroup } : {}),
      } as never,
      // Failures are reported once, as warnings, by the publisher.
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    },
    retry,
    throttling,
  );
  octokit.hook.before('request', (request) => redactRequest(request, options.redactor));
  return octokit;
}

/** Request options that are not content: routing, transport and headers (the token). */
const TRANSPORT_KEYS = new Set(['method', 'url', 'baseUrl', 'headers', 'request', 'mediaType']);

/**
 * Redacts, in place, every parameter of a request except transport and the URL's own
 * parameters (`{owner}`, `{issue_number}`: a repository name that happens to equal a secret
 * must still reach its repository).
 */
export function redactRequest(request: Record<string, unknown>, redactor: Redactor): void {
  const url = typeof request.url === 'string' ? request.url : '';
  const urlParameters = new Set([...url.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
  for (const key of Object.keys(request)) {
    if (TRANSPORT_KEYS.has(key) || urlParameters.has(key)) continue;
    request[key] = redactor.redactStrings(request[key]);
  }
}

/** HTTP status of an Octokit error, if it is one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** GitHub's message for a failed request, without the request URL (it may carry secrets of others). */
export function messageOf(error: unknown): string {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split(/ - https:\/\/docs\.github\.com/)[0];
  return status ? `${first} (HTTP ${status})` : first;
}
