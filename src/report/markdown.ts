// The report as GitHub Markdown (PR comment, check run summary, job summary, drift issue):
// a verdict, the risk review, the summary table, errors, then one collapsible section per
// drifted object. Budgeted in UTF-8 bytes: the review gets at most half, then detail is shrunk
// level by level before whole sections are cut.

import { byteLength } from './format.ts';
import { headSection, notedSection, skippedSection } from './markdown-head.ts';
import { type Block, bodyBlocks, type Detail, type FileUrl } from './markdown-objects.ts';
import { fitReview } from './markdown-review.ts';
import type { Report } from './model.ts';
import { isDrifted } from './model.ts';
import { trimMarkdown } from './trim.ts';

/** GitHub refuses comment bodies over 65,536 characters; the margin leaves room for the sticky-comment marker. */
export const DEFAULT_MARKDOWN_BUDGET = 65_536 - 1_024;

export interface MarkdownOptions {
  /** UTF-8 byte budget for the whole output. */
  budgetBytes?: number;
  /** A heading put above the verdict, e.g. "kube-drift: production". */
  title?: string;
  /** Link for a manifest line, e.g. the file at the PR's head SHA. */
  fileUrl?: FileUrl;
  /** Where the whole report is, said when this one is shortened. */
  fullReportHint?: string;
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

/** The review may take half the budget: the drifted objects under it need room too. */
const REVIEW_SHARE = 0.5;

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const budget = options.budgetBytes ?? DEFAULT_MARKDOWN_BUDGET;
  const review = fitReview(report, options.fileUrl, Math.floor(budget * REVIEW_SHARE));
  const head = headSection(report, options, review.text);
  const reviewCut = review.cut ? [review.cut] : [];
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
    const cuts = [...reviewCut, ...(detail.cut ? [detail.cut] : [])];
    const notice = cuts.length > 0 ? noticeText(cuts, options) : '';
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
        ...reviewCut,
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
    noticeText([...reviewCut, lastCut, 'everything after the cut is left out'], options),
  );
}
