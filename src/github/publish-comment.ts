// The sticky pull request comment: found by its marker among our own comments, left alone when
// the report says the same, else written in place, with a note when drift has gone.
import type { Report } from '../report/model.ts';
import { reportSha } from './context.ts';
import { type DriftState, readDigest, readState } from './markers.ts';
import { type Publishing, type ReportLinks, repositoryOf } from './publishing.ts';
import { reportBody, reportDigest } from './report-body.ts';
import { findStickyComment, ownLogins, writeStickyComment } from './sticky-comment.ts';

export interface Published {
  url?: string;
  /** The drift state the previous comment or issue recorded, for notifications on a change. */
  previous?: DriftState;
}

export async function publishComment(
  p: Publishing,
  report: Report,
  links: ReportLinks,
  pullRequest: number,
  current: DriftState,
): Promise<Published> {
  const where = { ...repositoryOf(p), issueNumber: pullRequest };
  const authors = await ownLogins(p.octokit, p.settings.stickyAuthors ?? ['github-actions[bot]']);
  const existing = await findStickyComment(p.octokit, where, p.settings.target, authors);
  const previous = readState(existing?.body);
  if (existing && readDigest(existing.body) === reportDigest(p, report, false)) {
    p.log.info(`The pull request comment for ${p.settings.target} is up to date.`);
    return { url: existing.htmlUrl, previous };
  }
  const preface =
    previous === 'drifted' && current === 'in-sync' && report.errors.length === 0
      ? `### ✅ No drift any more\n\nThe cluster matched Git at ${report.generatedAt} (commit \`${reportSha(p.context).slice(0, 7)}\`).\n\n`
      : '';
  const body = reportBody(p, report, links, { state: current, preface });
  const written = await writeStickyComment(p.octokit, where, existing, body);
  p.log.info(
    `${written.action === 'created' ? 'Created' : 'Updated'} the pull request comment: ${written.url}`,
  );
  return { url: written.url, previous };
}
