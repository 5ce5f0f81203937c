// The one pull request comment of a fleet run (or of `summarize`): a sticky comment of its own,
// found by a marker no target can have, holding the roll-up of every target's report.
import { createHash } from 'node:crypto';
import type { Redacted } from '../redaction.ts';
import { FLEET_COMMENT_BUDGET, FLEET_FULL_REPORT_HINT, renderFleetMarkdown } from '../report/fleet.ts';
import type { Report } from '../report/model.ts';
import { trimMarkdown } from '../report/trim.ts';
import { fileUrl, reportSha } from './context.ts';
import { digestMarker, readDigest, stateMarker, targetMarker } from './markers.ts';
import type { Published } from './publish-comment.ts';
import { type Publishing, repositoryOf } from './publishing.ts';
import { COMMENT_LIMIT_CHARS } from './report-body.ts';
import { findStickyComment, ownLogins, writeStickyComment } from './sticky-comment.ts';

/** The roll-up's marker name: parentheses are not allowed in a target name, so none can clash. */
export const FLEET_MARKER = '(fleet)';

export interface FleetRollUp {
  reports: Report[];
  notes: string[];
}

/** What the roll-up says, without when each report was made. */
function rollUpDigest(p: Publishing, rollUp: FleetRollUp): string {
  const content = rollUp.reports.map(({ generatedAt: _generatedAt, ...rest }) => rest);
  return createHash('sha256')
    .update(JSON.stringify({ content, notes: rollUp.notes, sha: reportSha(p.context) }))
    .digest('hex')
    .slice(0, 32);
}

/** The redacted comment body: markers, then the roll-up fitted to GitHub's limit. */
export function fleetCommentBody(p: Publishing, rollUp: FleetRollUp): Redacted {
  const drifted = rollUp.reports.some((r) => r.driftDetected || r.errors.length > 0);
  const head = [
    targetMarker(FLEET_MARKER),
    stateMarker(drifted ? 'drifted' : 'in-sync'),
    digestMarker(rollUpDigest(p, rollUp)),
  ].join('\n');
  const markdown = renderFleetMarkdown(rollUp.reports, {
    budgetBytes: FLEET_COMMENT_BUDGET,
    fileUrl: (file, line) => fileUrl(p.context, file, line),
    fullReportHint: FLEET_FULL_REPORT_HINT,
    notes: rollUp.notes,
  });
  const body = `${head}\n${markdown}`;
  return p.redactor.redact(
    body.length <= COMMENT_LIMIT_CHARS
      ? body
      : trimMarkdown(
          body,
          COMMENT_LIMIT_CHARS - 1_000,
          "_The roll-up was cut to fit GitHub's comment size limit._",
        ),
  );
}

/** Writes (or leaves alone, when it says the same) the roll-up comment on the pull request. */
export async function publishFleetComment(
  p: Publishing,
  rollUp: FleetRollUp,
  pullRequest: number,
): Promise<Published> {
  const where = { ...repositoryOf(p), issueNumber: pullRequest };
  const authors = await ownLogins(p.octokit, p.settings.stickyAuthors ?? ['github-actions[bot]']);
  const existing = await findStickyComment(p.octokit, where, FLEET_MARKER, authors);
  if (existing && readDigest(existing.body) === rollUpDigest(p, rollUp)) {
    p.log.info('The pull request roll-up comment is up to date.');
    return { url: existing.htmlUrl };
  }
  const written = await writeStickyComment(p.octokit, where, existing, fleetCommentBody(p, rollUp));
  p.log.info(
    `${written.action === 'created' ? 'Created' : 'Updated'} the pull request roll-up comment: ${written.url}`,
  );
  return { url: written.url };
}
