// Small text helpers shared by the Markdown, text and annotation renderers, and the risk
// review split the way they all show it.

import type {
  Attribution,
  ChangeAction,
  ChangeClass,
  FieldChange,
  RiskFinding,
  RiskSeverity,
  Verification,
} from '../model.ts';
import type { Report } from './model.ts';

/** Values are shown as compact JSON; longer than this they are cut with an ellipsis. */
export const VALUE_WIDTH = 80;

/** A value as one line of JSON, cut to `width` characters (by code point, so no broken surrogates). */
export function shortJson(value: unknown, width = VALUE_WIDTH): string {
  const json = JSON.stringify(value) ?? 'undefined';
  const chars = Array.from(json);
  return chars.length <= width ? json : `${chars.slice(0, width - 1).join('')}…`;
}

/**
 * The field as people read it: list elements by key (`spec.template.spec.containers[web].image`)
 * where the report has the keyed path, else the JSON pointer.
 */
export function fieldName(change: Pick<FieldChange, 'path' | 'keyedPath'>): string {
  return change.keyedPath ?? change.path;
}

/** "3 → 5", "(absent) → 5", "3 → (removed)". */
export function beforeAfter(change: FieldChange, show: (value: unknown) => string = shortJson): string {
  const before = 'before' in change && change.before !== undefined ? show(change.before) : '(absent)';
  const after = 'after' in change && change.after !== undefined ? show(change.after) : '(removed)';
  return `${before} → ${after}`;
}

/** "12 min ago", relative to the report's own time so outputs are reproducible. */
export function relativeTime(time: string, now: string): string {
  const seconds = Math.round((Date.parse(now) - Date.parse(time)) / 1000);
  if (!Number.isFinite(seconds)) return `at ${time}`;
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/**
 * "by kubectl-scale, 12 min ago", "by kube-controller-manager (controller), 2 h ago",
 * "no field manager owns it"; '' when attribution was not looked up.
 */
export function attributionText(changedBy: Attribution | null | undefined, now: string): string {
  if (changedBy === undefined) return '';
  if (changedBy === null) return 'no field manager owns it';
  // The subresource (scale, status) is in the JSON report; here the manager says enough.
  const parts = [`by ${changedBy.manager}${changedBy.controller ? ' (controller)' : ''}`];
  if (changedBy.time) parts.push(relativeTime(changedBy.time, now));
  return parts.join(', ');
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of `text` that is at most `budget` UTF-8 bytes, cut on a code point. */
export function cutToBytes(text: string, budget: number): string {
  if (byteLength(text) <= budget) return text;
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (used + size > budget) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/** How an action reads: in a diff it is what applying Git would do, in an apply what it did. */
export const ACTION_LABEL: Record<'diff' | 'apply', Record<ChangeAction, string>> = {
  diff: {
    created: 'to create',
    configured: 'configured',
    deleted: 'to delete',
    unchanged: 'unchanged',
    skipped: 'skipped',
  },
  apply: {
    created: 'created',
    configured: 'configured',
    deleted: 'deleted',
    unchanged: 'unchanged',
    skipped: 'skipped',
  },
};

/** The one-line verdict every output starts with: "Drift: 2 configured, 1 to create across 40 objects". */
export function verdict(report: Pick<Report, 'summary' | 'entries' | 'mode'>): {
  icon: string;
  text: string;
} {
  const s = report.summary;
  const labels = ACTION_LABEL[report.mode];
  const driftParts = [
    s.configured > 0 ? `${s.configured} ${labels.configured}` : '',
    s.created > 0 ? `${s.created} ${labels.created}` : '',
    s.deleted > 0 ? `${s.deleted} ${labels.deleted}` : '',
  ].filter(Boolean);
  const across = `across ${plural(report.entries.length, 'object')}`;
  if (s.errors > 0) {
    const what =
      driftParts.length > 0 ? `drift: ${driftParts.join(', ')} ${across}` : `no drift found ${across}`;
    return { icon: '❌', text: `${plural(s.errors, 'error')}, the comparison is incomplete; ${what}` };
  }
  if (driftParts.length > 0) {
    return report.mode === 'apply'
      ? { icon: '🔧', text: `Applied Git: ${driftParts.join(', ')} ${across}` }
      : { icon: '⚠️', text: `Drift: ${driftParts.join(', ')} ${across}` };
  }
  const skipped = s.skipped > 0 ? ` (${s.skipped} skipped)` : '';
  const matches = s.unchanged === 1 ? 'matches' : 'match';
  return { icon: '✅', text: `In sync: ${plural(s.unchanged, 'object')} ${matches} Git${skipped}` };
}

/** Most severe first. */
const RANK: Record<RiskSeverity, number> = { danger: 0, warning: 1, info: 2 };

/** Said after a finding in a three-way preview: whose change it is. */
export const ORIGIN_TEXT: Record<ChangeClass, string> = {
  pr: 'this PR',
  drift: 'drift the merge would revert',
  both: 'this PR, over drift the merge would revert',
};

/** The review's findings sorted and split the way every renderer shows them. */
export interface ReviewParts {
  /** Open findings other than images, most severe first. */
  lines: RiskFinding[];
  /** Open `image-change` findings: one table. */
  images: RiskFinding[];
  accepted: RiskFinding[];
}

/** Most severe first; findings of one severity keep their order. */
export function bySeverity(findings: RiskFinding[]): RiskFinding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

export function reviewParts(findings: RiskFinding[]): ReviewParts {
  const sorted = bySeverity(findings);
  return {
    lines: sorted.filter((finding) => !finding.accepted && finding.rule !== 'image-change'),
    images: sorted.filter((finding) => !finding.accepted && finding.rule === 'image-change'),
    accepted: sorted.filter((finding) => finding.accepted),
  };
}

/** "predicted · drift the merge would revert", or '' when neither applies. */
export function findingTags(finding: RiskFinding): string {
  return [finding.predicted ? 'predicted' : '', finding.origin ? ORIGIN_TEXT[finding.origin] : '']
    .filter(Boolean)
    .join(' · ');
}

/** `verified 950 by proof, 50 by dry-run`: how the plan verified objects (docs/in-sync-proof.md). */
export function verificationText(v: Verification): string {
  const parts = [`${v.proof} by proof`, `${v.dryRun} by dry-run`];
  if (v.clientSide > 0) parts.push(`${v.clientSide} client-side`);
  if (v.notVerifiable > 0) parts.push(`${v.notVerifiable} not verifiable without a dry-run`);
  return `verified ${parts.join(', ')}`;
}
