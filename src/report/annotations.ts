// Check-run annotations: one per drifted object on its manifest line, one per risk finding
// that has a manifest line (level by severity), one per error that names a file. Shaped as GitHub's check-run `output.annotations` items; the github stage
// sends them (50 per request) or falls back to workflow commands.

import type { PlanError, RiskFinding, RiskSeverity } from '../model.ts';
import {
  ACTION_LABEL,
  beforeAfter,
  bySeverity,
  byteLength,
  cutToBytes,
  fieldName,
  findingTags,
  plural,
} from './format.ts';
import type { Report, ReportEntry } from './model.ts';
import { entrySubject, isDrifted } from './model.ts';

export interface Annotation {
  /** Relative to the repository root. */
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

/** GitHub's limits: a title of at most 255 characters, a message of at most 64 KB. */
export const TITLE_MAX_CHARS = 255;
export const MESSAGE_MAX_BYTES = 64 * 1024 - 1;

function title(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  const chars = Array.from(flat);
  return chars.length <= TITLE_MAX_CHARS ? flat : `${chars.slice(0, TITLE_MAX_CHARS - 1).join('')}…`;
}

function message(lines: string[]): string {
  const text = lines.join('\n');
  if (byteLength(text) <= MESSAGE_MAX_BYTES) return text;
  const tail = '\n… (cut to fit the annotation size limit)';
  return cutToBytes(text, MESSAGE_MAX_BYTES - byteLength(tail)) + tail;
}

function driftAnnotation(entry: ReportEntry, report: Report): Annotation | null {
  if (!entry.source) return null;
  const subject = entrySubject(entry);
  const label = ACTION_LABEL[report.mode][entry.action];
  const lines: string[] = [];
  if (entry.action === 'configured') {
    lines.push(`${subject} differs from Git in ${plural(entry.changes.length, 'field')}:`);
    for (const change of entry.changes) lines.push(`${fieldName(change)}: ${beforeAfter(change)}`);
  } else if (entry.action === 'created') {
    lines.push(`${subject} is in Git but not in the cluster (${label}).`);
  } else {
    lines.push(`${subject} is in the cluster but no longer in Git (${label}).`);
  }
  if (entry.note) lines.push(entry.note);
  return {
    path: entry.source.file,
    start_line: entry.source.line,
    end_line: entry.source.line,
    annotation_level: 'warning',
    title: title(`Drift: ${subject}`),
    message: message(lines),
  };
}

const RISK_LEVEL: Record<RiskSeverity, Annotation['annotation_level']> = {
  danger: 'failure',
  warning: 'warning',
  info: 'notice',
};

/** On the finding's manifest line; an accepted finding is a notice that says it was accepted. */
export function riskAnnotation(finding: RiskFinding): Annotation | null {
  if (!finding.source) return null;
  const tags = findingTags(finding);
  const lines = [`${finding.message}${tags ? ` (${tags})` : ''}`];
  if (finding.image)
    lines.push(
      `${finding.image.container}: ${finding.image.from ?? '(none)'} → ${finding.image.to ?? '(removed)'}`,
    );
  if (finding.accepted) {
    const by =
      finding.accepted.by === 'annotation' ? 'annotation kube-drift.dev/accept-risk' : 'accept-risk setting';
    lines.push(`Accepted (${by}): ${finding.accepted.reason}`);
  }
  const what = `${finding.rule} (${finding.severity}): ${finding.subject}`;
  return {
    path: finding.source.file,
    start_line: finding.source.line,
    end_line: finding.source.line,
    annotation_level: finding.accepted ? 'notice' : RISK_LEVEL[finding.severity],
    title: title(finding.accepted ? `Accepted risk ${what}` : `Risk ${what}`),
    message: message(lines),
  };
}

function errorAnnotation(error: PlanError): Annotation | null {
  if (!error.file) return null;
  const line = error.line ?? 1;
  return {
    path: error.file,
    start_line: line,
    end_line: line,
    annotation_level: 'failure',
    title: title(`Error: ${error.object ?? error.file}`),
    message: message([error.message]),
  };
}

/**
 * In report order: drifted objects (that have a manifest) first, then risk findings most
 * severe first, then errors that name a file.
 */
export function buildAnnotations(report: Report): Annotation[] {
  const annotations: Annotation[] = [];
  for (const entry of report.entries) {
    if (!isDrifted(entry)) continue;
    const annotation = driftAnnotation(entry, report);
    if (annotation) annotations.push(annotation);
  }
  for (const finding of bySeverity(report.risks)) {
    const annotation = riskAnnotation(finding);
    if (annotation) annotations.push(annotation);
  }
  for (const error of report.errors) {
    const annotation = errorAnnotation(error);
    if (annotation) annotations.push(annotation);
  }
  return annotations;
}
