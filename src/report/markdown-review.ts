// The Review section at the top of the Markdown report: risk findings most severe first, one
// line each; image changes as one table; accepted findings apart, with their reason; the rules
// that could not be checked, with why. Fitted to a byte budget by cutting whole items.

import type { RiskFinding, RiskSeverity } from '../model.ts';
import { byteLength, findingTags, plural, type ReviewParts, reviewParts } from './format.ts';
import { code, md } from './markdown-escape.ts';
import { type FileUrl, sourceMd } from './markdown-objects.ts';
import type { Report } from './model.ts';

const MARKER: Record<RiskSeverity, string> = { danger: '🔴', warning: '🟡', info: '🔵' };
const SEVERITIES: RiskSeverity[] = ['danger', 'warning', 'info'];

function findingLine(finding: RiskFinding, fileUrl: FileUrl | undefined): string {
  const tags = findingTags(finding);
  const marker = finding.accepted ? '☑️' : MARKER[finding.severity];
  const head = `${marker} **${finding.severity}** ${code(finding.rule)} ${code(finding.subject)}${sourceMd(finding, fileUrl)}`;
  const accepted = finding.accepted
    ? ` **Accepted** (${finding.accepted.by === 'annotation' ? 'annotation kube-drift.dev/accept-risk' : 'accept-risk setting'}): ${md(finding.accepted.reason)}`
    : '';
  return `- ${head}: ${md(finding.message)}${tags ? ` _(${tags})_` : ''}${accepted}`;
}

/** A table cell: a pipe would end the cell even inside a code span. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function imageRow(finding: RiskFinding, fileUrl: FileUrl | undefined): string {
  const image = finding.image ?? { container: '' };
  const change = `${image.from ? code(image.from) : '(none)'} → ${image.to ? code(image.to) : '(removed)'}`;
  const tags = findingTags(finding);
  const workload = `${code(finding.subject)}${sourceMd(finding, fileUrl)}`;
  return `| ${cell(workload)} | ${cell(code(image.container))} | ${cell(change)}${tags ? ` _(${tags})_` : ''} |`;
}

function heading(report: Report, parts: ReviewParts): string {
  const open = [...parts.lines, ...parts.images];
  const counts = SEVERITIES.map((severity) => [
    severity,
    open.filter((finding) => finding.severity === severity).length,
  ]).filter(([, count]) => count !== 0);
  const bits = counts.map(([severity, count]) => `${count} ${severity}`);
  if (bits.length === 0) bits.push('no open findings');
  if (parts.accepted.length > 0) bits.push(`${parts.accepted.length} accepted`);
  const unchecked = report.risksUnchecked?.length ?? 0;
  if (unchecked > 0) bits.push(`${plural(unchecked, 'rule')} not checked`);
  return `### Review: ${bits.join(' · ')}`;
}

/** Findings in the order they are kept when the review must be cut: lines, images, accepted. */
function itemCount(parts: ReviewParts): number {
  return parts.lines.length + parts.images.length + parts.accepted.length;
}

/**
 * The section with at most `keep` findings (lines first, then image rows, then accepted), and a
 * line saying how many more there are; '' when the report has no findings and no gaps.
 */
export function reviewSection(report: Report, fileUrl: FileUrl | undefined, keep = Infinity): string {
  const parts = reviewParts(report.risks);
  const unchecked = report.risksUnchecked ?? [];
  if (itemCount(parts) === 0 && unchecked.length === 0) return '';
  let left = keep;
  const take = (findings: RiskFinding[]) => {
    const kept = findings.slice(0, Math.max(0, left));
    left -= kept.length;
    return kept;
  };
  const lines = take(parts.lines);
  const images = take(parts.images);
  const accepted = take(parts.accepted);
  const blocks = [heading(report, parts)];
  if (lines.length > 0) blocks.push(lines.map((finding) => findingLine(finding, fileUrl)).join('\n'));
  if (images.length > 0)
    blocks.push(
      [
        `**Images** (${parts.images.length})`,
        '',
        '| Workload | Container | Image |',
        '| --- | --- | --- |',
        ...images.map((finding) => imageRow(finding, fileUrl)),
      ].join('\n'),
    );
  if (accepted.length > 0)
    blocks.push(
      `**Accepted** (${parts.accepted.length})\n\n${accepted.map((finding) => findingLine(finding, fileUrl)).join('\n')}`,
    );
  const omitted = itemCount(parts) - lines.length - images.length - accepted.length;
  if (omitted > 0) blocks.push(`_… ${omittedText(parts, lines, images, accepted)} not shown here._`);
  if (unchecked.length > 0)
    blocks.push(
      `**Could not check** (${unchecked.length})\n\n${unchecked.map((gap) => `- ${code(gap.rule)}: could not check: ${md(gap.reason)}`).join('\n')}`,
    );
  return `${blocks.join('\n\n')}\n`;
}

/** "12 warning, 300 info, 68 image changes and 2 accepted findings" for what was cut. */
function omittedText(
  parts: ReviewParts,
  lines: RiskFinding[],
  images: RiskFinding[],
  accepted: RiskFinding[],
): string {
  const cutLines = parts.lines.slice(lines.length);
  const bits = SEVERITIES.map((severity) => [
    severity,
    cutLines.filter((finding) => finding.severity === severity).length,
  ])
    .filter(([, count]) => count !== 0)
    .map(([severity, count]) => `${count} ${severity}`);
  const cutImages = parts.images.length - images.length;
  const cutAccepted = parts.accepted.length - accepted.length;
  if (cutImages > 0) bits.push(plural(cutImages, 'image change'));
  if (cutAccepted > 0) bits.push(`${cutAccepted} accepted`);
  const total = cutLines.length + cutImages + cutAccepted;
  return `${plural(total, 'more finding')} (${bits.join(', ')})`;
}

/**
 * The section within `budgetBytes`, cutting whole findings from the end (info and accepted
 * first, as they are last); `cut` says what for the report's notice. The heading, the counts
 * and the rules not checked are always kept.
 */
export function fitReview(
  report: Report,
  fileUrl: FileUrl | undefined,
  budgetBytes: number,
): { text: string; cut?: string } {
  const full = reviewSection(report, fileUrl);
  if (byteLength(full) <= budgetBytes) return { text: full };
  const total = itemCount(reviewParts(report.risks));
  // The most findings that fit: section size grows with each one kept.
  let low = 0;
  let high = total - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (byteLength(reviewSection(report, fileUrl, middle)) <= budgetBytes) low = middle;
    else high = middle - 1;
  }
  return {
    text: reviewSection(report, fileUrl, low),
    cut: `${total - low} of ${total} risk findings are not shown (the most severe are kept)`,
  };
}
