// The one report model every output is rendered from: a versioned, serializable view of a
// ChangeSet plus the run it came from. Renderers (JSON, Markdown, text, annotations) read
// only this, so they cannot print anything the engine did not put in the (masked) change set.

import type {
  ChangeSet,
  ChangeSetEntry,
  ChangeSummary,
  PlanError,
  RiskFinding,
  RiskGap,
  RiskSeverity,
  Verification,
} from '../model.ts';
import { hasDrift, summarize } from '../model.ts';

/**
 * Version of the JSON report's shape (schema/report.schema.json). A plain integer string:
 * bumped only on a change that breaks readers (a field removed, renamed or retyped); new
 * optional fields do not bump it.
 */
export const SCHEMA_VERSION = '1';

export type ReportMode = 'diff' | 'apply';

/**
 * What the cluster was compared with: the manifests alone (`live`), or, in a pull request
 * preview, the manifests and the base commit's manifests (`three-way`), which is what lets
 * a change be told apart as the PR's own or drift already in the cluster. Said outright
 * rather than guessed from classes: a three-way report whose only finding is an object
 * missing from the cluster carries no class at all.
 */
export type Comparison =
  | { kind: 'live' }
  | { kind: 'three-way' /** The base commit (a SHA). */; base: string };

export interface ReportMeta {
  target: string;
  mode: ReportMode;
  /** RFC 3339 time the report was made; relative times ("12 min ago") are measured from it. */
  generatedAt: string;
  kubeDriftVersion: string;
  /** The API server URL. */
  cluster?: string;
  /** The Git revision the manifests were rendered from. */
  revision?: string;
  /** Default `live`. */
  comparison?: Comparison;
  /** Not serialized: used by renderers that link to manifests. */
  links?: { fileUrl?: (file: string, line: number) => string };
}

/** A change set entry as serialized: the object reference spelled out as apiVersion, kind, namespace, name. */
export type ReportEntry = Omit<ChangeSetEntry, 'ref'> & {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
};

/** The run's metadata (less what is not serialized) and what was found. */
export type Report = Omit<ReportMeta, 'links' | 'comparison'> & {
  schemaVersion: typeof SCHEMA_VERSION;
  comparison: Comparison;
  summary: ChangeSummary;
  driftDetected: boolean;
  entries: ReportEntry[];
  errors: PlanError[];
  /** Remarks on the run as a whole (ownership of the target's inventory, …); absent when none. */
  notes?: string[];
  /** The risk review's findings, most severe first; empty when none or the review is off. */
  risks: RiskFinding[];
  /** Rules the review could not check, and why; absent when every rule was checked. */
  risksUnchecked?: RiskGap[];
  /** How the findings measure against `fail-on-risk`; absent when it is `none` (src/report/risk-verdict.ts). */
  riskVerdict?: RiskVerdict;
  /** Objects verified by dry-run, by the in-sync proof, client-side (docs/in-sync-proof.md). */
  verification?: Verification;
};

/** Findings (not accepted) at or above `failOn`; the run fails when there is one. */
export interface RiskVerdict {
  failOn: RiskSeverity;
  /** Findings, accepted ones left out, at or above `failOn`. */
  failing: number;
  failed: boolean;
}

export function buildReport(changeSet: ChangeSet, meta: ReportMeta): Report {
  const summary = summarize(changeSet);
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    target: meta.target,
    mode: meta.mode,
    generatedAt: meta.generatedAt,
    kubeDriftVersion: meta.kubeDriftVersion,
    comparison: meta.comparison ?? { kind: 'live' },
    summary,
    driftDetected: hasDrift(summary),
    entries: changeSet.entries.map((entry) => {
      const { group, version, kind, namespace, name } = entry.ref;
      const reportEntry: ReportEntry = {
        apiVersion: group === '' ? version : `${group}/${version}`,
        kind,
        namespace,
        name,
        action: entry.action,
        changes: entry.changes,
        diff: entry.diff,
      };
      if (entry.source) reportEntry.source = entry.source;
      if (entry.group !== undefined) reportEntry.group = entry.group;
      if (entry.note !== undefined) reportEntry.note = entry.note;
      if (entry.diffMode !== undefined) reportEntry.diffMode = entry.diffMode;
      if (entry.prStatus !== undefined) reportEntry.prStatus = entry.prStatus;
      return reportEntry;
    }),
    errors: changeSet.errors,
    risks: changeSet.risks?.findings ?? [],
  };
  if (changeSet.notes?.length) report.notes = changeSet.notes;
  if (changeSet.risks?.unchecked.length) report.risksUnchecked = changeSet.risks.unchecked;
  if (changeSet.verification) report.verification = changeSet.verification;
  if (meta.cluster !== undefined) report.cluster = meta.cluster;
  if (meta.revision !== undefined) report.revision = meta.revision;
  return report;
}

/** `Kind/namespace/name` or `Kind/name` for a report entry. */
export function entrySubject(entry: Pick<ReportEntry, 'kind' | 'namespace' | 'name'>): string {
  return entry.namespace ? `${entry.kind}/${entry.namespace}/${entry.name}` : `${entry.kind}/${entry.name}`;
}

/** Entries that differ from Git: what every drift output lists. */
export function isDrifted(entry: Pick<ReportEntry, 'action'>): boolean {
  return entry.action === 'created' || entry.action === 'configured' || entry.action === 'deleted';
}

/** True for a PR preview compared with its base commit as well as the cluster. */
export function isThreeWay(report: Pick<Report, 'comparison'>): boolean {
  return report.comparison.kind === 'three-way';
}
