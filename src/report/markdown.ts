// The report as GitHub Markdown (PR comment, check run summary, job summary, drift issue):
// a verdict, the summary table, errors, then one collapsible section per drifted object.
// Budgeted in UTF-8 bytes: detail is shrunk level by level before whole sections are cut.

import { markdownTable } from 'markdown-table';
import type { ChangeAction, ChangeClass, ChangeSummary, FieldChange, PlanError } from '../model.ts';
import {
  ACTION_LABEL,
  attributionText,
  beforeAfter,
  byteLength,
  fieldName,
  plural,
  relativeTime,
  shortJson,
  verdict,
} from './format.ts';
import type { Report, ReportEntry } from './model.ts';
import { entrySubject, isDrifted, isThreeWay } from './model.ts';
import { trimMarkdown } from './trim.ts';

/** GitHub refuses comment bodies over 65,536 characters; the margin leaves room for the sticky-comment marker. */
export const DEFAULT_MARKDOWN_BUDGET = 65_536 - 1_024;

export interface MarkdownOptions {
  /** UTF-8 byte budget for the whole output. */
  budgetBytes?: number;
  /** A heading put above the verdict, e.g. "kube-drift: production". */
  title?: string;
  /** Link for a manifest line, e.g. the file at the PR's head SHA. */
  fileUrl?: (file: string, line: number) => string;
  /** Where the whole report is, said when this one is shortened. */
  fullReportHint?: string;
}

/** How much of each object to show; the renderer steps down these levels until the report fits. */
interface Detail {
  /** Diff lines kept per object: Infinity for all, 0 for none. */
  diffLines: number;
  /** Field changes listed per object: Infinity for all, 0 for a single line per object. */
  fields: number;
  /** What this level leaves out, for the notice. */
  cut?: string;
}

const DETAIL_LEVELS: Detail[] = [
  { diffLines: Number.POSITIVE_INFINITY, fields: Number.POSITIVE_INFINITY },
  {
    diffLines: 60,
    fields: Number.POSITIVE_INFINITY,
    cut: 'diffs longer than 60 lines are cut to their first 60',
  },
  {
    diffLines: 20,
    fields: Number.POSITIVE_INFINITY,
    cut: 'diffs longer than 20 lines are cut to their first 20',
  },
  {
    diffLines: 0,
    fields: Number.POSITIVE_INFINITY,
    cut: 'unified diffs are left out (field lists are kept)',
  },
  { diffLines: 0, fields: 10, cut: 'unified diffs are left out and field lists cut to 10 fields per object' },
  { diffLines: 0, fields: 0, cut: 'diffs and field lists are left out (one line per object)' },
];

const CLASS_SECTIONS: Array<{ changeClass: ChangeClass; heading: string; callout?: string }> = [
  { changeClass: 'pr', heading: 'Changes in this PR' },
  {
    changeClass: 'both',
    heading: '⚠️ Both changed by this PR and drifted in the cluster',
    callout:
      "[!WARNING]\n> These fields were changed in the cluster outside Git and are changed again by this PR: merging overwrites the live values, which may be someone's hot-fix.",
  },
  { changeClass: 'drift', heading: 'Drift already in the cluster (merging reverts it)' },
];

// ---- escaping -------------------------------------------------------------------------

function oneLine(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ');
}

/** Inside raw HTML blocks (<summary>), Markdown is not parsed: only HTML needs escaping. */
function html(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Plain text in Markdown: backslash-escape what could start emphasis, links, HTML or tables. */
function md(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>|~&]/g, '\\$&');
}

/** A code span that holds any text: delimited by more backticks than any run inside it. */
function code(text: string): string {
  const flat = oneLine(text);
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** A fence longer than any backtick run in the content, so the content cannot close it. */
function fenceFor(content: string): string {
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longestRun + 1));
}

// ---- pieces --------------------------------------------------------------------------

function contextLine(report: Report): string {
  const parts = [`Target ${code(report.target)}`];
  if (report.cluster) parts.push(`cluster ${code(report.cluster)}`);
  if (report.revision) parts.push(`revision ${code(report.revision)}`);
  parts.push(`kube-drift ${md(report.kubeDriftVersion)}`, md(report.generatedAt));
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

function location(file: string, line: number | undefined): string {
  return line === undefined ? file : `${file}:${line}`;
}

function sourceHtml(entry: ReportEntry, fileUrl: MarkdownOptions['fileUrl']): string {
  if (!entry.source) return '';
  const text = `<code>${html(location(entry.source.file, entry.source.line))}</code>`;
  return fileUrl
    ? ` · <a href="${html(fileUrl(entry.source.file, entry.source.line))}">${text}</a>`
    : ` · ${text}`;
}

function sourceMd(entry: ReportEntry, fileUrl: MarkdownOptions['fileUrl']): string {
  if (!entry.source) return '';
  const text = code(location(entry.source.file, entry.source.line));
  if (!fileUrl) return ` · ${text}`;
  const url = fileUrl(entry.source.file, entry.source.line).replace(
    /[\s()<>]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return ` · [${text}](${url})`;
}

function fieldItem(change: FieldChange, now: string): string {
  const who = attributionText(change.changedBy, now);
  return `- ${code(fieldName(change))}: ${beforeAfter(change, (value) => code(shortJson(value)))}${who ? ` (${md(who)})` : ''}`;
}

function diffBlock(diff: string, maxLines: number): string {
  const lines = diff.replace(/\n$/, '').split('\n');
  const kept = lines.length > maxLines ? lines.slice(0, maxLines) : lines;
  const body = kept.join('\n');
  const fence = fenceFor(body);
  const more = lines.length - kept.length;
  const cutNote = more > 0 ? `\n\n… ${plural(more, 'more line')} of diff not shown` : '';
  return `${fence}diff\n${body}\n${fence}${cutNote}`;
}

interface ObjectView {
  entry: ReportEntry;
  /** The changes to list here (a three-way section shows only its own class). */
  changes: FieldChange[];
  showDiff: boolean;
  /** Said instead of the diff when it is shown in an earlier section. */
  diffElsewhere?: string;
}

function objectBlock(view: ObjectView, report: Report, detail: Detail, options: MarkdownOptions): string {
  const { entry, changes } = view;
  const action = ACTION_LABEL[report.mode][entry.action];
  const fieldCount = changes.length > 0 ? `, ${plural(changes.length, 'field')}` : '';
  if (detail.fields === 0) {
    return `- ${code(entrySubject(entry))} ${action}${fieldCount}${sourceMd(entry, options.fileUrl)}\n`;
  }
  const parts: string[] = [];
  if (entry.prStatus) parts.push(`_${entry.prStatus} by this PR_`);
  if (entry.note) parts.push(`_${md(entry.note)}_`);
  if (entry.diffMode === 'client')
    parts.push('_Compared client-side: the API server could not dry-run this object._');
  if (changes.length > 0) {
    const listed = changes.slice(0, detail.fields).map((change) => fieldItem(change, report.generatedAt));
    if (changes.length > listed.length)
      listed.push(`- … ${plural(changes.length - listed.length, 'more field')}`);
    parts.push(listed.join('\n'));
  }
  if (view.showDiff && entry.diff !== '' && detail.diffLines > 0)
    parts.push(diffBlock(entry.diff, detail.diffLines));
  else if (view.diffElsewhere && detail.diffLines > 0)
    parts.push(`_The diff is shown under ${md(view.diffElsewhere)}._`);
  const summary = `<summary><code>${html(entrySubject(entry))}</code> ${html(action)}${html(fieldCount)}${sourceHtml(entry, options.fileUrl)}</summary>`;
  // The blank line after </details> ends the HTML block, so a heading after it is Markdown again.
  return `<details>\n${summary}\n\n${parts.join('\n\n')}\n\n</details>\n\n`;
}

/** A piece of the body: either a heading or one object, so whole objects can be cut from the end. */
interface Block {
  text: string;
  objects: number;
}

/** Object views under headings: group headings only when more than one group exists. */
function* groupedBlocks(
  views: ObjectView[],
  report: Report,
  detail: Detail,
  options: MarkdownOptions,
  headingLevel: string,
  groupNames: boolean,
): Generator<Block> {
  const byGroup = new Map<string, ObjectView[]>();
  for (const view of views) {
    const key = view.entry.group ?? '';
    const members = byGroup.get(key);
    if (members) members.push(view);
    else byGroup.set(key, [view]);
  }
  const oneLinePerObject = detail.fields === 0;
  for (const [group, groupViews] of byGroup) {
    if (groupNames) {
      yield { text: `${headingLevel} ${group === '' ? 'Other objects' : md(group)}\n\n`, objects: 0 };
    }
    for (const view of groupViews) yield { text: objectBlock(view, report, detail, options), objects: 1 };
    // A list needs a blank line after it before the next heading.
    if (oneLinePerObject) yield { text: '\n', objects: 0 };
  }
}

/**
 * The body, one block at a time, so a renderer over budget stops early: each detail level
 * costs about as much as the budget, not as much as the whole report.
 */
function* bodyBlocks(report: Report, detail: Detail, options: MarkdownOptions): Generator<Block> {
  const drifted = report.entries.filter(isDrifted);
  const groups = new Set(drifted.map((entry) => entry.group ?? ''));
  const groupNames = groups.size > 1;
  if (!isThreeWay(report)) {
    const views = drifted.map((entry) => ({ entry, changes: entry.changes, showDiff: true }));
    yield* groupedBlocks(views, report, detail, options, '###', groupNames);
    return;
  }
  const configured = drifted.filter((entry) => entry.action === 'configured');
  const classViews = (changeClass: ChangeClass | undefined) =>
    configured
      .map((entry) => ({ entry, changes: entry.changes.filter((change) => change.class === changeClass) }))
      .filter((view) => view.changes.length > 0);
  const wholeObjects = (byThisPr: boolean) =>
    drifted
      .filter((entry) => entry.action !== 'configured' && (entry.prStatus !== undefined) === byThisPr)
      .map((entry) => ({ entry, changes: entry.changes }));
  const [prSection, ...otherClassSections] = CLASS_SECTIONS.map(({ changeClass, heading, callout }) => ({
    heading,
    callout,
    views: classViews(changeClass),
  }));
  const sections = [
    prSection,
    // Objects the PR adds or removes are its own changes: they follow the PR's fields.
    { heading: 'Objects added or removed by this PR', callout: undefined, views: wholeObjects(true) },
    ...otherClassSections,
    { heading: 'Objects to create or delete', callout: undefined, views: wholeObjects(false) },
    { heading: 'Other changes (no class)', callout: undefined, views: classViews(undefined) },
  ];
  const diffShownIn = new Map<ReportEntry, string>();
  for (const section of sections) {
    if (section.views.length === 0) continue;
    yield {
      text: `### ${section.heading}\n\n${section.callout ? `> ${section.callout}\n\n` : ''}`,
      objects: 0,
    };
    const views: ObjectView[] = section.views.map((view) => {
      const shownIn = diffShownIn.get(view.entry);
      if (shownIn === undefined) diffShownIn.set(view.entry, section.heading);
      return { ...view, showDiff: shownIn === undefined, diffElsewhere: shownIn };
    });
    yield* groupedBlocks(views, report, detail, options, '####', groupNames);
  }
}

function skippedSection(report: Report): string {
  const skipped = report.entries.filter((entry) => entry.action === 'skipped');
  if (skipped.length === 0) return '';
  const items = skipped.map(
    (entry) => `- ${code(entrySubject(entry))}${entry.note ? `: ${md(entry.note)}` : ''}`,
  );
  return `### Skipped (${skipped.length})\n\n${items.join('\n')}\n`;
}

/** Objects in sync that carry a note: what was left out of the comparison, and why. */
function notedSection(report: Report): string {
  const noted = report.entries.filter((entry) => entry.action === 'unchanged' && entry.note);
  if (noted.length === 0) return '';
  const items = noted.map((entry) => `- ${code(entrySubject(entry))}: ${md(entry.note!)}`);
  return `### In sync, with a note (${noted.length})\n\n${items.join('\n')}\n`;
}

function headSection(report: Report, options: MarkdownOptions): string {
  const parts: string[] = [];
  if (options.title) parts.push(`## ${md(options.title)}`);
  parts.push(
    `**${verdict(report).icon} ${verdict(report).text}**`,
    contextLine(report),
    summaryTable(report),
  );
  const who = whoChangedTable(report);
  if (who) parts.push(who);
  if (report.errors.length > 0) {
    parts.push(`### Errors (${report.errors.length})\n\n${report.errors.map(errorItem).join('\n')}`);
  }
  if (report.notes?.length)
    parts.push(`### Notes\n\n${report.notes.map((note) => `- ${md(note)}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}

function noticeText(cuts: string[], options: MarkdownOptions): string {
  const hint = options.fullReportHint ?? 'the full report is in the JSON report (`--output json`)';
  const hintSentence = `${hint[0].toUpperCase()}${hint.slice(1)}${hint.endsWith('.') ? '' : '.'}`;
  return `> [!NOTE]\n> This report was shortened to fit its size limit: ${cuts.join('; ')}. ${hintSentence}\n`;
}

/** Lines in `text`, counting no further than `cap` (diffs can be large; only short/long matters). */
function lineCount(text: string, cap: number): number {
  let count = 1;
  for (let at = text.indexOf('\n'); at !== -1 && count < cap; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

function joinBlocks(blocks: Block[]): string {
  return blocks
    .map((block) => block.text)
    .join('')
    .replace(/\n+$/, '\n');
}

function join(sections: string[]): string {
  return sections.filter((section) => section !== '').join('\n');
}

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const budget = options.budgetBytes ?? DEFAULT_MARKDOWN_BUDGET;
  const head = headSection(report, options);
  const skipped = join([skippedSection(report), notedSection(report)]);
  const drifted = report.entries.filter(isDrifted);
  const longestCut = Math.max(...DETAIL_LEVELS.map((level) => level.diffLines).filter(Number.isFinite));
  const longestDiff = drifted.reduce(
    (longest, entry) => Math.max(longest, lineCount(entry.diff, longestCut + 1)),
    0,
  );
  const mostFields = drifted.reduce((most, entry) => Math.max(most, entry.changes.length), 0);
  const fixedBytes = byteLength(head) + byteLength(skipped);

  for (const detail of DETAIL_LEVELS) {
    // A level that cuts diffs no diff is long enough for would only add a false notice.
    if (detail.diffLines > 0 && detail.cut && longestDiff <= detail.diffLines) continue;
    if (detail.fields > 0 && Number.isFinite(detail.fields) && mostFields <= detail.fields) continue;
    const notice = detail.cut ? noticeText([detail.cut], options) : '';
    // A guard only (joining adds a separator or two and drops trailing blank lines): the
    // measured result below decides.
    const limit = budget - fixedBytes - byteLength(notice) + 8;
    const blocks: Block[] = [];
    let used = 0;
    for (const block of bodyBlocks(report, detail, options)) {
      used += byteLength(block.text);
      if (used > limit) break;
      blocks.push(block);
    }
    if (used > limit) continue;
    const markdown = join([head, joinBlocks(blocks), skipped, notice]);
    if (byteLength(markdown) <= budget) return markdown;
  }

  // One line per object is still too long: cut whole sections from the end, the skipped
  // list first (it is last), then objects, reserving room for the longest notice this can need.
  const lastCut = DETAIL_LEVELS[DETAIL_LEVELS.length - 1].cut!;
  const notice = (omittedObjects: number) =>
    noticeText(
      [
        lastCut,
        omittedObjects > 0 ? `${omittedObjects} of ${drifted.length} drifted objects are not shown` : '',
        skipped !== '' ? 'the list of skipped objects is left out' : '',
      ].filter(Boolean),
      options,
    );
  let used = byteLength(head) + 1 + byteLength(notice(drifted.length)) + 1;
  const kept: Block[] = [];
  let keptObjects = 0;
  for (const block of bodyBlocks(report, DETAIL_LEVELS[DETAIL_LEVELS.length - 1], options)) {
    const size = byteLength(block.text);
    if (used + size > budget) break;
    used += size;
    kept.push(block);
    keptObjects += block.objects;
  }
  // Do not end on a heading with nothing under it.
  while (kept.length > 0 && kept[kept.length - 1].objects === 0) kept.pop();
  const markdown = join([head, joinBlocks(kept), notice(drifted.length - keptObjects)]);
  if (byteLength(markdown) <= budget) return markdown;
  // The head alone (a very long error list) can still be too long: cut by lines as a last resort.
  return trimMarkdown(
    markdown,
    budget,
    noticeText([lastCut, 'everything after the cut is left out'], options),
  );
}
