// The check run branch protection can require: created in_progress, completed with a
// conclusion, a title with the counts, the Markdown summary, and every annotation, sent at
// most 50 per request (GitHub's limit) in follow-up updates, none dropped.

import type { Redacted } from '../redaction.ts';
import type { GitHubClient } from './client.ts';

export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit on output.summary, in characters. */
export const CHECK_SUMMARY_LIMIT = 65_535;

export type CheckConclusion = 'success' | 'failure' | 'neutral';

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: Redacted;
  title?: Redacted;
}

export interface CheckRunWhere {
  owner: string;
  repo: string;
}

export async function createCheckRun(
  octokit: GitHubClient,
  where: CheckRunWhere,
  run: { name: string; headSha: string; detailsUrl?: string; externalId: string },
): Promise<{ id: number; url: string }> {
  const { data } = await octokit.rest.checks.create({
    owner: where.owner,
    repo: where.repo,
    name: run.name,
    head_sha: run.headSha,
    status: 'in_progress',
    started_at: new Date().toISOString(),
    external_id: run.externalId,
    ...(run.detailsUrl ? { details_url: run.detailsUrl } : {}),
  });
  return { id: data.id, url: data.html_url ?? '' };
}

export function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/**
 * Completes a check run (creating it when `id` is undefined) with its first 50 annotations,
 * then appends the rest 50 at a time: GitHub adds each update's annotations to the list.
 */
export async function completeCheckRun(
  octokit: GitHubClient,
  where: CheckRunWhere,
  run: {
    id?: number;
    name: string;
    headSha: string;
    detailsUrl?: string;
    externalId: string;
    conclusion: CheckConclusion;
    title: Redacted;
    summary: Redacted;
    annotations: CheckAnnotation[];
  },
): Promise<{ id: number; url: string }> {
  const [first = [], ...rest] = batches(run.annotations, ANNOTATIONS_PER_REQUEST);
  const output = { title: run.title, summary: run.summary };
  const completed = {
    status: 'completed' as const,
    conclusion: run.conclusion,
    completed_at: new Date().toISOString(),
    output: { ...output, annotations: first },
  };
  let id: number;
  let url: string;
  if (run.id === undefined) {
    const { data } = await octokit.rest.checks.create({
      owner: where.owner,
      repo: where.repo,
      name: run.name,
      head_sha: run.headSha,
      external_id: run.externalId,
      ...(run.detailsUrl ? { details_url: run.detailsUrl } : {}),
      ...completed,
    });
    id = data.id;
    url = data.html_url ?? '';
  } else {
    const { data } = await octokit.rest.checks.update({
      owner: where.owner,
      repo: where.repo,
      check_run_id: run.id,
      ...completed,
    });
    id = data.id;
    url = data.html_url ?? '';
  }
  for (const batch of rest) {
    await octokit.rest.checks.update({
      owner: where.owner,
      repo: where.repo,
      check_run_id: id,
      output: { ...output, annotations: batch },
    });
  }
  return { id, url };
}
