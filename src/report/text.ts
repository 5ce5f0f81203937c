// The report for terminals, like `kubectl diff` with a header: one line per object with a
// marker (~ configured, + created, - deleted, = unchanged, * skipped), its changed fields,
// then its unified diff. ANSI colour only when asked (the CLI asks when stdout is a TTY).

import type { ChangeAction, FieldChange } from '../model.ts';
import {
  ACTION_LABEL,
  attributionText,
  beforeAfter,
  fieldName,
  verdict,
  verificationText,
} from './format.ts';
import type { Report, ReportEntry } from './model.ts';
import { entrySubject } from './model.ts';
import { reviewLines } from './text-review.ts';

export interface TextOptions {
  color?: boolean;
  /** Also list unchanged objects. */
  verbose?: boolean;
}

const MARKER: Record<ChangeAction, string> = {
  configured: '~',
  created: '+',
  deleted: '-',
  unchanged: '=',
  skipped: '*',
};

const CLASS_TAG = { pr: '[PR]', drift: '[drift]', both: '[PR+drift]' } as const;

interface Paint {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

function paint(color: boolean): Paint {
  const sgr = (code: string) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    green: sgr('32'),
    red: sgr('31'),
    yellow: sgr('33'),
    cyan: sgr('36'),
    dim: sgr('2'),
    bold: sgr('1'),
  };
}

/**
 * Names, notes, values and diffs come from the cluster and the repository: control
 * characters in them could move the cursor or recolour the terminal, so they are shown as �.
 */
function safe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f\x9b]/g, '\ufffd');
}

function actionColor(p: Paint, action: ChangeAction): (text: string) => string {
  if (action === 'created') return p.green;
  if (action === 'deleted') return p.red;
  if (action === 'configured') return p.yellow;
  return p.dim;
}

function fieldLine(change: FieldChange, now: string): string {
  const tag = change.class ? `${CLASS_TAG[change.class]} ` : '';
  const who = attributionText(change.changedBy, now);
  return `    ${tag}${fieldName(change)}: ${beforeAfter(change)}${who ? `  (${who})` : ''}`;
}

function diffLines(diff: string, p: Paint): string[] {
  if (diff === '') return [];
  return diff
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => {
      const indented = `    ${safe(line)}`;
      if (line.startsWith('+++') || line.startsWith('---')) return p.bold(indented);
      if (line.startsWith('+')) return p.green(indented);
      if (line.startsWith('-')) return p.red(indented);
      if (line.startsWith('@@')) return p.cyan(indented);
      return indented;
    });
}

function entryLines(entry: ReportEntry, report: Report, p: Paint): string[] {
  const label = ACTION_LABEL[report.mode][entry.action];
  const where = entry.source ? `  ${safe(entry.source.file)}:${entry.source.line}` : '';
  const prStatus = entry.prStatus ? `, ${entry.prStatus} by this PR` : '';
  const note = entry.note ? `: ${entry.note}` : '';
  const colour = actionColor(p, entry.action);
  const lines = [
    `${colour(`${MARKER[entry.action]} ${safe(entrySubject(entry))}`)} (${safe(label + prStatus + note)})${p.dim(where)}`,
  ];
  if (entry.diffMode === 'client')
    lines.push('    compared client-side: the API server could not dry-run this object');
  for (const change of entry.changes) lines.push(safe(fieldLine(change, report.generatedAt)));
  // After an apply, a whole new object's diff says nothing the line above does not.
  if (report.mode === 'diff' || entry.action === 'configured') lines.push(...diffLines(entry.diff, p));
  return lines;
}

export function renderText(report: Report, options: TextOptions = {}): string {
  const p = paint(options.color === true);
  const { icon, text } = verdict(report);
  const context = [`kube-drift ${report.mode}`, `target ${safe(report.target)}`];
  if (report.cluster) context.push(`cluster ${safe(report.cluster)}`);
  if (report.revision) context.push(`revision ${safe(report.revision)}`);
  if (report.verification) context.push(verificationText(report.verification));
  const lines = [p.bold(context.join(' · ')), `${icon} ${text}`];
  const review = reviewLines(report, p, safe);
  if (review.length > 0) lines.push(...review);
  lines.push('');

  for (const entry of report.entries) {
    // An unchanged object with a note (fields not compared) is listed: nothing is left out silently.
    if (entry.action === 'unchanged' && !entry.note && !options.verbose) continue;
    lines.push(...entryLines(entry, report, p));
  }
  const hidden = report.entries.filter((entry) => entry.action === 'unchanged' && !entry.note).length;
  if (hidden > 0 && !options.verbose) lines.push(p.dim(`= ${hidden} unchanged (not listed)`));

  for (const error of report.errors) {
    const where = [
      error.object,
      error.file ? `${error.file}${error.line === undefined ? '' : `:${error.line}`}` : '',
    ]
      .filter(Boolean)
      .join(' in ');
    const message = safe(error.message).replace(/\n/g, '\n  ');
    lines.push(`${p.red('error')}: ${safe(where ? `${where}: ` : '')}${message}`);
  }
  for (const note of report.notes ?? []) lines.push(`note: ${safe(note)}`);
  return `${lines.join('\n')}\n`;
}
