// The Review block of the terminal report: the risk verdict, then one line per finding, most
// severe first, images as `from → to`, accepted findings with their reason, and the rules that
// could not be checked.

import type { RiskFinding, RiskSeverity } from '../model.ts';
import { findingTags, reviewParts } from './format.ts';
import type { Report } from './model.ts';
import { riskVerdictText } from './risk-verdict.ts';

/** Colours for severities; identity functions when colour is off. */
export interface ReviewPaint {
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

function findingText(finding: RiskFinding): string {
  const where = finding.source ? ` ${finding.source.file}:${finding.source.line}` : '';
  const tags = findingTags(finding);
  return `${finding.rule} ${finding.subject}${where}: ${finding.message}${tags ? ` (${tags})` : ''}`;
}

function imageText(finding: RiskFinding): string {
  const image = finding.image ?? { container: '' };
  const tags = findingTags(finding);
  return `${finding.subject} ${image.container}: ${image.from ?? '(none)'} → ${image.to ?? '(removed)'}${tags ? ` (${tags})` : ''}`;
}

/** Lines to print, unsafe characters already replaced by `safe`; empty when there is nothing to say. */
export function reviewLines(report: Report, p: ReviewPaint, safe: (text: string) => string): string[] {
  const parts = reviewParts(report.risks);
  const unchecked = report.risksUnchecked ?? [];
  const lines: string[] = [];
  if (report.riskVerdict) {
    const text = `risk review ${safe(riskVerdictText(report.riskVerdict, report))}`;
    lines.push(report.riskVerdict.failed ? p.red(text) : text);
  }
  if (parts.lines.length + parts.images.length + parts.accepted.length + unchecked.length === 0) return lines;
  const colour: Record<RiskSeverity, (text: string) => string> = {
    danger: p.red,
    warning: p.yellow,
    info: (text) => text,
  };
  lines.push(p.bold('Review:'));
  for (const finding of parts.lines)
    lines.push(`  ${colour[finding.severity](finding.severity.padEnd(7))} ${safe(findingText(finding))}`);
  for (const finding of parts.images) lines.push(`  ${'image'.padEnd(7)} ${safe(imageText(finding))}`);
  for (const finding of parts.accepted) {
    const reason = finding.accepted?.reason ?? '';
    lines.push(
      p.dim(`  accepted ${finding.severity} ${safe(findingText(finding))} — accepted: ${safe(reason)}`),
    );
  }
  for (const gap of unchecked)
    lines.push(`  ${p.yellow('could not check')} ${gap.rule}: ${safe(gap.reason)}`);
  return lines;
}
