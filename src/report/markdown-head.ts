// The top of the Markdown report (title, verdict, context, counts, who changed what, errors,
// notes) and the lists at its end (skipped objects, objects in sync with a note).
import { markdownTable } from 'markdown-table';
import type { ChangeAction, ChangeSummary, PlanError } from '../model.ts';
import { ACTION_LABEL, relativeTime, verdict, verificationText } from './format.ts';
import { code, fenceFor, location, md } from './markdown-escape.ts';
import type { Report } from './model.ts';
import { entrySubject } from './model.ts';
import { riskVerdictText } from './risk-verdict.ts';

function contextLine(report: Report): string {
  const parts = [`Target ${code(report.target)}`];
  if (report.cluster) parts.push(`cluster ${code(report.cluster)}`);
  if (report.revision) parts.push(`revision ${code(report.revision)}`);
  parts.push(`kube-drift ${md(report.kubeDriftVersion)}`, md(report.generatedAt));
  if (report.verification) parts.push(verificationText(report.verification));
  return parts.join(' · ');
}

function summaryTable(report: Report): string {
  const labels = ACTION_LABEL[report.mode];
  const order: Array<keyof ChangeSummary> = ['created', 'configured', 'deleted', 'unchanged', 'skipped'];
  const rows = order.map((action) => [labels[action as ChangeAction], String(report.summary[action])]);
  rows.push(['errors', String(report.summary.errors)]);
  return markdownTable([['Objects', 'Count'], ...rows], { align: ['l', 'r'] });
}

/**
 * Drifted fields grouped by the manager that wrote them: with several drifted objects, one
 * line per hand (`kubectl-scale`: 3 objects) reads faster than the same name on every field.
 */
function whoChangedTable(report: Report): string {
  const byManager = new Map<string, { objects: Set<string>; fields: number; latest?: string }>();
  for (const entry of report.entries) {
    for (const change of entry.changes) {
      if (!change.changedBy) continue;
      const name = `${change.changedBy.manager}${change.changedBy.controller ? ' (controller)' : ''}`;
      const row = byManager.get(name) ?? { objects: new Set<string>(), fields: 0 };
      row.objects.add(entrySubject(entry));
      row.fields++;
      const time = change.changedBy.time;
      if (time && (!row.latest || time > row.latest)) row.latest = time;
      byManager.set(name, row);
    }
  }
  const objects = new Set([...byManager.values()].flatMap((row) => [...row.objects]));
  if (objects.size < 2) return '';
  const rows = [...byManager.entries()]
    .sort((a, b) => b[1].objects.size - a[1].objects.size || a[0].localeCompare(b[0]))
    .slice(0, 10)
    .map(([name, row]) => [
      code(name),
      String(row.objects.size),
      String(row.fields),
      row.latest ? relativeTime(row.latest, report.generatedAt) : '',
    ]);
  return markdownTable([['Changed by', 'Objects', 'Fields', 'Last write'], ...rows], {
    align: ['l', 'r', 'r', 'l'],
  });
}

function errorItem(error: PlanError): string {
  const where = [
    error.object ? code(error.object) : '',
    error.file ? code(location(error.file, error.line)) : '',
  ]
    .filter(Boolean)
    .join(' in ');
  const lines = error.message.split(/\r?\n/);
  const head = `- ${where ? `${where}: ` : ''}${md(lines[0])}`;
  if (lines.length === 1) return head;
  const rest = lines.slice(1).join('\n');
  const fence = fenceFor(rest);
  return `${head}\n\n  ${fence}text\n${rest
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}\n  ${fence}`;
}

export function skippedSection(report: Report): string {
  const skipped = report.entries.filter((entry) => entry.action === 'skipped');
  if (skipped.length === 0) return '';
  const items = skipped.map(
    (entry) => `- ${code(entrySubject(entry))}${entry.note ? `: ${md(entry.note)}` : ''}`,
  );
  return `### Skipped (${skipped.length})\n\n${items.join('\n')}\n`;
}

/** Objects in sync that carry a note: what was left out of the comparison, and why. */
export function notedSection(report: Report): string {
  const noted = report.entries.filter((entry) => entry.action === 'unchanged' && entry.note);
  if (noted.length === 0) return '';
  const items = noted.map((entry) => `- ${code(entrySubject(entry))}: ${md(entry.note!)}`);
  return `### In sync, with a note (${noted.length})\n\n${items.join('\n')}\n`;
}

/** `review` is the Review section (src/report/markdown-review.ts), put right under the verdict. */
export function headSection(report: Report, options: { title?: string }, review = ''): string {
  const parts: string[] = [];
  if (options.title) parts.push(`## ${md(options.title)}`);
  parts.push(`**${verdict(report).icon} ${verdict(report).text}**`);
  if (report.riskVerdict) {
    const icon = report.riskVerdict.failed ? '⛔' : '✅';
    parts.push(`**${icon} Risk review ${md(riskVerdictText(report.riskVerdict, report))}**`);
  }
  parts.push(contextLine(report));
  if (review) parts.push(review.trimEnd());
  parts.push(summaryTable(report));
  const who = whoChangedTable(report);
  if (who) parts.push(who);
  if (report.errors.length > 0) {
    parts.push(`### Errors (${report.errors.length})\n\n${report.errors.map(errorItem).join('\n')}`);
  }
  if (report.notes?.length)
    parts.push(`### Notes\n\n${report.notes.map((note) => `- ${md(note)}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}
