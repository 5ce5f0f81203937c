// The report as JSON (`--output json`, the action's report file), shaped by
// schema/report.schema.json. Keys come out in one fixed order, and keys inside field values
// sorted, so the same report always gives the same bytes and diffs of reports stay small.

import type { Attribution, FieldChange, PlanError, RiskFinding } from '../model.ts';
import type { Comparison, Report, ReportEntry } from './model.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Copies `source`'s keys in the order given, leaving out absent (undefined) ones. */
function ordered<T extends object>(source: T, keys: Array<keyof T>): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const key of keys) {
    if (source[key] !== undefined) out[key as string] = source[key] as Json;
  }
  return out;
}

/** A manifest value with object keys sorted at every depth. */
function sortedValue(value: unknown): Json {
  if (Array.isArray(value)) return value.map(sortedValue);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) {
      const inner = (value as Record<string, unknown>)[key];
      if (inner !== undefined) out[key] = sortedValue(inner);
    }
    return out;
  }
  return value as Json;
}

function attributionJson(changedBy: Attribution | null): Json {
  if (changedBy === null) return null;
  return ordered(changedBy, ['manager', 'operation', 'subresource', 'time', 'controller']);
}

function changeJson(change: FieldChange): Json {
  const out: { [key: string]: Json } = { path: change.path };
  if (change.keyedPath !== undefined) out.keyedPath = change.keyedPath;
  if (change.before !== undefined) out.before = sortedValue(change.before);
  if (change.after !== undefined) out.after = sortedValue(change.after);
  if (change.changedBy !== undefined) out.changedBy = attributionJson(change.changedBy);
  if (change.class !== undefined) out.class = change.class;
  return out;
}

function entryJson(entry: ReportEntry): Json {
  const out = ordered(entry, ['apiVersion', 'kind', 'namespace', 'name', 'action']);
  if (entry.source) out.source = ordered(entry.source, ['file', 'line']);
  if (entry.group !== undefined) out.group = entry.group;
  out.changes = entry.changes.map(changeJson);
  out.diff = entry.diff;
  if (entry.note !== undefined) out.note = entry.note;
  if (entry.diffMode !== undefined) out.diffMode = entry.diffMode;
  if (entry.prStatus !== undefined) out.prStatus = entry.prStatus;
  return out;
}

function comparisonJson(comparison: Comparison): Json {
  return comparison.kind === 'three-way'
    ? { kind: comparison.kind, base: comparison.base }
    : { kind: comparison.kind };
}

function errorJson(error: PlanError): Json {
  return ordered(error, ['message', 'object', 'file', 'line']);
}

function riskJson(finding: RiskFinding): Json {
  const out = ordered(finding, ['rule', 'severity', 'subject']);
  if (finding.source) out.source = ordered(finding.source, ['file', 'line']);
  out.message = finding.message;
  if (finding.predicted !== undefined) out.predicted = finding.predicted;
  if (finding.origin !== undefined) out.origin = finding.origin;
  if (finding.accepted) out.accepted = ordered(finding.accepted, ['reason', 'by']);
  if (finding.image) out.image = ordered(finding.image, ['container', 'from', 'to']);
  return out;
}

/** Only the report's own fields: anything else on the object (such as links) is not serialized. */
export function reportJson(report: Report): Json {
  const out = ordered(report, [
    'schemaVersion',
    'target',
    'mode',
    'generatedAt',
    'kubeDriftVersion',
    'cluster',
    'revision',
  ]);
  out.comparison = comparisonJson(report.comparison);
  out.summary = ordered(report.summary, [
    'created',
    'configured',
    'unchanged',
    'deleted',
    'skipped',
    'errors',
  ]);
  out.driftDetected = report.driftDetected;
  out.entries = report.entries.map(entryJson);
  out.errors = report.errors.map(errorJson);
  if (report.notes?.length) out.notes = [...report.notes];
  out.risks = report.risks.map(riskJson);
  if (report.risksUnchecked?.length)
    out.risksUnchecked = report.risksUnchecked.map((gap) => ordered(gap, ['rule', 'reason']));
  if (report.riskVerdict) out.riskVerdict = ordered(report.riskVerdict, ['failOn', 'failing', 'failed']);
  if (report.verification)
    out.verification = ordered(report.verification, ['dryRun', 'proof', 'clientSide', 'notVerifiable']);
  return out;
}

/** Stable key order, 2-space indent, trailing newline. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(reportJson(report), null, 2)}\n`;
}
