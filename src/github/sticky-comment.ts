// One pull-request comment per target, found again by its hidden marker and its author
// (as marocchino/sticky-pull-request-comment does), edited in place, never duplicated.

import type { Redacted } from '../redaction.ts';
import type { GitHubClient } from './client.ts';
import { statusOf } from './client.ts';
import { hasTargetMarker } from './markers.ts';

export interface ExistingComment {
  id: number;
  body: string;
  htmlUrl: string;
}

/**
 * The logins whose comments count as ours: the token's own (GET /user, which works for a
 * personal access token) plus the configured ones; GITHUB_TOKEN is an installation token
 * that GET /user refuses, and its comments are by `github-actions[bot]`.
 */
export async function ownLogins(octokit: GitHubClient, extra: string[]): Promise<Set<string>> {
  const logins = new Set(extra.map((login) => login.toLowerCase()));
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    logins.add(data.login.toLowerCase());
  } catch (error) {
    const status = statusOf(error);
    if (status !== 403 && status !== 401 && status !== 404) throw error;
  }
  return logins;
}

export async function findStickyComment(
  octokit: GitHubClient,
  where: { owner: string; repo: string; issueNumber: number },
  target: string,
  authors: Set<string>,
): Promise<ExistingComment | undefined> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: where.owner,
    repo: where.repo,
    issue_number: where.issueNumber,
    per_page: 100,
  });
  // The oldest one wins, so a duplicate left by an earlier bug never becomes the one edited.
  const found = comments.find(
    (comment) =>
      hasTargetMarker(comment.body, target) && authors.has((comment.user?.login ?? '').toLowerCase()),
  );
  return found ? { id: found.id, body: found.body ?? '', htmlUrl: found.html_url } : undefined;
}

export async function writeStickyComment(
  octokit: GitHubClient,
  where: { owner: string; repo: string; issueNumber: number },
  existing: ExistingComment | undefined,
  body: Redacted,
): Promise<{ url: string; action: 'created' | 'updated' }> {
  if (existing) {
    const { data } = await octokit.rest.issues.updateComment({
      owner: where.owner,
      repo: where.repo,
      comment_id: existing.id,
      body,
    });
    return { url: data.html_url, action: 'updated' };
  }
  const { data } = await octokit.rest.issues.createComment({
    owner: where.owner,
    repo: where.repo,
    issue_number: where.issueNumber,
    body,
  });
  return { url: data.html_url, action: 'created' };
}
