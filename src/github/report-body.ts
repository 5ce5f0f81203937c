// The body of the sticky comment and of the drift issue: hidden markers (target, state, digest),
// then the Markdown report, sized to GitHub's limit and redacted.
import { createHash } from 'node:crypto';
import type { Redacted } from '../redaction.ts';
import { renderMarkdown } from '../report/markdown.ts';
import type { Report } from '../report/model.ts';
import { trimMarkdown } from '../report/trim.ts';
import { reportSha } from './context.ts';
import { type DriftState, digestMarker, stateMarker, targetMarker } from './markers.ts';
import type { Publishing, ReportLinks } from './publishing.ts';

/** GitHub refuses comment and issue bodies over 65,536 characters; bytes ≥ characters, so a byte budget is safe. */
export const COMMENT_LIMIT_CHARS = 65_536;
const COMMENT_BUDGET_BYTES = 65_000;
/** Room left for the hidden markers at the top of a body. */
const MARKER_BYTES = 200;

/** What a report says, without when it was made: two runs that found the same thing are one comment. */
export function reportDigest(p: Publishing, report: Report, remediated: boolean): string {
  const { generatedAt: _generatedAt, ...content } = report;
  return createHash('sha256')
    .update(JSON.stringify({ content, sha: reportSha(p.context), remediated }))
    .digest('hex')
    .slice(0, 32);
}

/** The redacted body: markers, an optional preface and suffix, and the report rendered to fit what is left. */
export function reportBody(
  p: Publishing,
  report: Report,
  links: ReportLinks,
  parts: { state: DriftState; preface?: string; suffix?: string },
): Redacted {
  const preface = parts.preface ?? '';
  const suffix = parts.suffix ?? '';
  const markdown = renderMarkdown(report, {
    budgetBytes: COMMENT_BUDGET_BYTES - Buffer.byteLength(preface) - Buffer.byteLength(suffix) - MARKER_BYTES,
    fileUrl: links.fileUrl,
    fullReportHint: links.fullReportHint,
    title: `kube-drift: ${p.settings.target}`,
  });
  const head = [
    targetMarker(p.settings.target),
    stateMarker(parts.state),
    digestMarker(reportDigest(p, report, false)),
  ].join('\n');
  return p.redactor.redact(fitComment(`${head}\n${preface}${markdown}${suffix}`));
}

/** The last guard on GitHub's character limit, whatever the renderer did. */
function fitComment(body: string): string {
  if (body.length <= COMMENT_LIMIT_CHARS) return body;
  return trimMarkdown(body, COMMENT_BUDGET_BYTES, "_The report was cut to fit GitHub's comment size limit._");
}
