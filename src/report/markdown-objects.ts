// The body of the Markdown report: one collapsible section per drifted object, under group
// headings, or under three-way headings (this PR, both, drift) when the report has a base.
import type { ChangeClass, FieldChange } from '../model.ts';
import { ACTION_LABEL, attributionText, beforeAfter, fieldName, plural, shortJson } from './format.ts';
import { code, fenceFor, html, location, md } from './markdown-escape.ts';
import type { Report, ReportEntry } from './model.ts';
import { entrySubject, isDrifted, isThreeWay } from './model.ts';

/** Link for a manifest line, e.g. the file at the PR's head SHA. */
export type FileUrl = (file: string, line: number) => string;

/** How much of each object to show; the renderer steps down these levels until the report fits. */
export interface Detail {
  /** Diff lines kept per object: Infinity for all, 0 for none. */
  diffLines: number;
  /** Field changes listed per object: Infinity for all, 0 for a single line per object. */
  fields: number;
  /** What this level leaves out, for the notice. */
  cut?: string;
}

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

function sourceHtml(entry: ReportEntry, fileUrl: FileUrl | undefined): string {
  if (!entry.source) return '';
  const text = `<code>${html(location(entry.source.file, entry.source.line))}</code>`;
  return fileUrl
    ? ` · <a href="${html(fileUrl(entry.source.file, entry.source.line))}">${text}</a>`
    : ` · ${text}`;
}

/** ` · [`file:line`](url)`, or without the link when there is no URL; '' without a source. */
export function sourceMd(entry: Pick<ReportEntry, 'source'>, fileUrl: FileUrl | undefined): string {
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

function objectBlock(
  view: ObjectView,
  report: Report,
  detail: Detail,
  options: { fileUrl?: FileUrl },
): string {
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
export interface Block {
  text: string;
  objects: number;
}

/** Object views under headings: group headings only when more than one group exists. */
function* groupedBlocks(
  views: ObjectView[],
  report: Report,
  detail: Detail,
  options: { fileUrl?: FileUrl },
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
export function* bodyBlocks(
  report: Report,
  detail: Detail,
  options: { fileUrl?: FileUrl },
): Generator<Block> {
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
