// One issue per target for runs without a pull request: opened when drift is found,
// edited on later drifted runs, closed with a comment when the cluster is back in sync.
// Found again by its hidden target marker among the issues carrying the configured labels.

import type { Redacted } from '../redaction.ts';
import type { GitHubClient } from './client.ts';
import { hasTargetMarker } from './markers.ts';

export interface DriftIssue {
  number: number;
  state: 'open' | 'closed';
  body: string;
  htmlUrl: string;
}

interface Where {
  owner: string;
  repo: string;
}

/** The most recently created issue of the target, open or closed (its body holds the last state). */
export async function findDriftIssue(
  octokit: GitHubClient,
  where: Where,
  target: string,
  labels: string[],
): Promise<DriftIssue | undefined> {
  const { data } = await octokit.rest.issues.listForRepo({
    owner: where.owner,
    repo: where.repo,
    state: 'all',
    sort: 'created',
    direction: 'desc',
    per_page: 100,
    ...(labels.length > 0 ? { labels: labels.join(',') } : {}),
  });
  // The list includes pull requests; ours are plain issues.
  const candidates = data.filter((issue) => !issue.pull_request && hasTargetMarker(issue.body, target));
  const found = candidates.find((issue) => issue.state === 'open') ?? candidates[0];
  return found
    ? {
        number: found.number,
        state: found.state as 'open' | 'closed',
        body: found.body ?? '',
        htmlUrl: found.html_url,
      }
    : undefined;
}

export async function openDriftIssue(
  octokit: GitHubClient,
  where: Where,
  issue: { title: Redacted; body: Redacted; labels: string[] },
): Promise<string> {
  const { data } = await octokit.rest.issues.create({
    owner: where.owner,
    repo: where.repo,
    title: issue.title,
    body: issue.body,
    labels: issue.labels,
  });
  return data.html_url;
}

export async function updateDriftIssue(
  octokit: GitHubClient,
  where: Where,
  number: number,
  body: Redacted,
): Promise<string> {
  const { data } = await octokit.rest.issues.update({
    owner: where.owner,
    repo: where.repo,
    issue_number: number,
    body,
  });
  return data.html_url;
}

export async function closeDriftIssue(
  octokit: GitHubClient,
  where: Where,
  number: number,
  closing: { comment: Redacted; body: Redacted },
): Promise<string> {
  await octokit.rest.issues.createComment({
    owner: where.owner,
    repo: where.repo,
    issue_number: number,
    body: closing.comment,
  });
  const { data } = await octokit.rest.issues.update({
    owner: where.owner,
    repo: where.repo,
    issue_number: number,
    state: 'closed',
    state_reason: 'completed',
    body: closing.body,
  });
  return data.html_url;
}
