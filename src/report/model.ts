// The one report model every output is rendered from: a versioned, serializable view of a
// ChangeSet plus the run it came from. Renderers (JSON, Markdown, text, annotations) read
// only this, so they cannot print anything the engine did not put in the (masked) change set.

import type { ChangeSet, ChangeSetEntry, ChangeSummary, PlanError } from '../model.ts';
import { hasDrift, summarize } from '../model.ts';

/**
 * Version of the JSON report's shape (schema/report.schema.json). A plain integer string:
 * bumped only on a change that breaks readers (a field removed, renamed or retyped); new
 * optional fields do not bump it.
 */
export const SCHEMA_VERSION = '1';

export type ReportMode = 'diff' | 'apply';

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
export type Report = Omit<ReportMeta, 'links'> & {
  schemaVersion: typeof SCHEMA_VERSION;
  summary: ChangeSummary;
  driftDetected: boolean;
  entries: ReportEntry[];
  errors: PlanError[];
  /** Remarks on the run as a whole (ownership of the target's inventory, …); absent when none. */
  notes?: string[];
};

export function buildReport(changeSet: ChangeSet, meta: ReportMeta): Report {
  const summary = summarize(changeSet);
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    target: meta.target,
    mode: meta.mode,
    generatedAt: meta.generatedAt,
    kubeDriftVersion: meta.kubeDriftVersion,
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
  };
  if (changeSet.notes?.length) report.notes = changeSet.notes;
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

/** True when any change carries a three-way class (a PR preview against base and live). */
export function isThreeWay(report: Pick<Report, 'entries'>): boolean {
  return report.entries.some(
    (entry) => entry.prStatus !== undefined || entry.changes.some((change) => change.class !== undefined),
  );
}
