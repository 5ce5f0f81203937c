// The roll-up of a fleet: one Markdown text for many targets (a headline across targets, a table,
// one line per target in sync, one section per target with drift or errors), made from Report
// values alone, so one run with N targets and `kube-drift summarize` of N JSON reports agree.
import { markdownTable } from 'markdown-table';
import { byteLength, plural, verdict } from './format.ts';
import { renderJson } from './json.ts';
import { renderMarkdown } from './markdown.ts';
import { code, md } from './markdown-escape.ts';
import { type Report, SCHEMA_VERSION } from './model.ts';
import { trimMarkdown } from './trim.ts';

/** The roll-up comment's budget: GitHub's 65,536 characters, less room for hidden markers. */
export const FLEET_COMMENT_BUDGET = 65_000 - 200;

/** Where a shortened section's whole report is: the same words in a run and in a roll-up. */
export const FLEET_FULL_REPORT_HINT =
  "each target's whole report is in its JSON report and in the job summary";

/**
 * A report as its JSON file says it (redacted, keys in the file's order): a run renders its
 * roll-up from this, so it is byte for byte what `summarize` renders from the files.
 */
export function roundTrip(report: Report, redact: (text: string) => string): Report {
  return JSON.parse(redact(renderJson(report))) as Report;
}

export interface FleetMarkdownOptions {
  /** UTF-8 byte budget for the whole text. */
  budgetBytes: number;
  /** Link for a manifest line, e.g. the file at the PR's head SHA. */
  fileUrl?: (file: string, line: number) => string;
  /** Where the whole reports are, said when a section is shortened. */
  fullReportHint?: string;
  /** Remarks on the run as a whole (the base commit's config was used, …). */
  notes?: string[];
}

/**
 * The report of a target that could not be looked at (unreachable cluster, bad kubeconfig, a
 * matrix job that left no report): no objects, one error. It is written as the target's JSON
 * report too, so a roll-up of reports says what the run said.
 */
export function failedReport(
  target: string,
  message: string,
  mode: Report['mode'],
  generatedAt: string,
  kubeDriftVersion: string,
): Report {
  return {
    schemaVersion: SCHEMA_VERSION,
    target,
    mode,
    generatedAt,
    kubeDriftVersion,
    comparison: { kind: 'live' },
    summary: { created: 0, configured: 0, unchanged: 0, deleted: 0, skipped: 0, errors: 1 },
    driftDetected: false,
    entries: [],
    errors: [{ message }],
    risks: [],
  };
}

/**
 * A target whose section is one line: no drift, no errors, and no risk finding (a finding is
 * never folded away behind "in sync", even from a report that counts no change).
 */
function inSync(report: Report): boolean {
  return !report.driftDetected && report.errors.length === 0 && (report.risks?.length ?? 0) === 0;
}

function headline(reports: Report[]): string {
  const failed = reports.filter((r) => r.errors.length > 0).length;
  const synced = reports.filter(inSync).length;
  const drifted = reports.length - failed - synced;
  const riskFailed = reports.filter((r) => r.riskVerdict?.failed).length;
  const parts = [
    failed > 0 ? `❌ ${failed} with errors` : '',
    riskFailed > 0 ? `⛔ ${riskFailed} failed the risk review` : '',
    drifted > 0 ? `⚠️ ${drifted} with drift` : '',
    synced > 0 ? `✅ ${synced} in sync` : '',
  ].filter(Boolean);
  const apply = reports.length > 0 && reports.every((r) => r.mode === 'apply');
  return `**${plural(reports.length, 'target')}${apply ? ' applied' : ''}: ${parts.join(' · ')}**`;
}

function overviewTable(reports: Report[]): string {
  const rows = reports.map((r) => [
    code(r.target),
    verdict(r).icon,
    String(r.summary.created),
    String(r.summary.configured),
    String(r.summary.deleted),
    String(r.summary.unchanged),
    String(r.summary.errors),
  ]);
  return markdownTable([['Target', '', 'Create', 'Configure', 'Delete', 'In sync', 'Errors'], ...rows], {
    align: ['l', 'c', 'r', 'r', 'r', 'r', 'r'],
  });
}

function syncedLine(report: Report): string {
  const v = verdict(report);
  const cluster = report.cluster ? ` · cluster ${code(report.cluster)}` : '';
  return `- ${v.icon} **${md(report.target)}**: ${md(v.text)}${cluster}`;
}

/**
 * Bytes for each section: the sections that fit whole keep their size; the others share what
 * is left equally (smallest first, so what a small one does not use goes to the larger ones).
 */
function shares(sizes: number[], budget: number): number[] {
  const result = new Array<number>(sizes.length).fill(0);
  const order = sizes.map((size, index) => ({ size, index })).sort((a, b) => a.size - b.size);
  let left = Math.max(0, budget);
  order.forEach(({ size, index }, position) => {
    const share = Math.floor(left / (order.length - position));
    result[index] = Math.min(size, share);
    left -= result[index];
  });
  return result;
}

/** Targets in the order given (the config's order); the text fits `budgetBytes`. */
export function renderFleetMarkdown(reports: Report[], options: FleetMarkdownOptions): string {
  const synced = reports.filter(inSync);
  const sectioned = reports.filter((r) => !inSync(r));
  const head = [
    `## kube-drift: ${plural(reports.length, 'target')}`,
    headline(reports),
    overviewTable(reports),
    ...(options.notes?.length ? [`> [!NOTE]\n${options.notes.map((n) => `> ${md(n)}`).join('\n>\n')}`] : []),
    ...(synced.length > 0 ? [`### In sync\n\n${synced.map(syncedLine).join('\n')}`] : []),
  ].join('\n\n');
  const render = (report: Report, budgetBytes: number) =>
    renderMarkdown(report, {
      budgetBytes,
      title: `kube-drift: ${report.target}`,
      fileUrl: options.fileUrl,
      fullReportHint: options.fullReportHint,
    });
  const full = sectioned.map((r) => render(r, Number.MAX_SAFE_INTEGER));
  // One byte of separator per section, and a margin for the final join.
  const room = options.budgetBytes - byteLength(head) - 2 * sectioned.length - 16;
  const budgets = shares(
    full.map((text) => byteLength(text)),
    room,
  );
  const sections = sectioned.map((r, i) =>
    byteLength(full[i]) <= budgets[i] ? full[i] : render(r, budgets[i]),
  );
  const text = `${[head, ...sections.map((s) => s.replace(/\n+$/, ''))].join('\n\n')}\n`;
  return trimMarkdown(
    text,
    options.budgetBytes,
    '> [!NOTE]\n> This roll-up was cut to fit its size limit; every target’s whole report is in its JSON report.',
  );
}
