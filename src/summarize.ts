// The JSON reports a fleet's matrix jobs left, read back as Report values for the roll-up: in the
// config's order when the config is known, a target without a report kept as that target's error.
import { readFileSync } from 'node:fs';
import { InputError } from './errors.ts';
import { failedReport } from './report/fleet.ts';
import { type Report, SCHEMA_VERSION } from './report/model.ts';
import { loadConfig } from './settings/config-file.ts';
import { configNotes } from './settings/fleet.ts';
import { VERSION } from './version.ts';

/** A report file's text as a Report (a file may hold one report or a list of them). */
export function parseReports(text: string, file: string): Report[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file} is not JSON: ${(error as Error).message}`, {
      hint: 'Give the JSON reports kube-drift wrote (report-file, or --output json).',
    });
  }
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, index) => {
    const where = Array.isArray(value) ? `${file}[${index}]` : file;
    const report = item as Partial<Report> | null;
    if (
      typeof report !== 'object' ||
      report === null ||
      typeof report.target !== 'string' ||
      typeof report.summary !== 'object' ||
      !Array.isArray(report.entries) ||
      !Array.isArray(report.errors)
    )
      throw new InputError(`${where} is not a kube-drift report (no target, summary, entries and errors)`);
    if (report.schemaVersion !== SCHEMA_VERSION)
      throw new InputError(
        `${where} is a report of schema version ${String(report.schemaVersion)}; this kube-drift reads version ${SCHEMA_VERSION}`,
        { hint: 'Summarize with the same kube-drift version the matrix jobs ran.' },
      );
    return report as Report;
  });
}

/**
 * Reports from `files`, each target once (the last file wins). With `expected` (the config's
 * targets, in order) the reports come in that order and a missing one is that target's error;
 * a report of a target the config does not name is an input error (a stale artifact).
 */
export function loadReports(files: string[], expected?: { file: string; targets: string[] }): Report[] {
  return orderReports(readReports(files), expected);
}

/** Each target's report from `files`, the last file winning. */
function readReports(files: string[]): Map<string, Report> {
  const byTarget = new Map<string, Report>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new InputError(`report ${file} cannot be read`);
    }
    for (const report of parseReports(text, file)) byTarget.set(report.target, report);
  }
  return byTarget;
}

function orderReports(
  byTarget: Map<string, Report>,
  expected?: { file: string; targets: string[] },
): Report[] {
  if (!expected) return [...byTarget.values()];
  const unknown = [...byTarget.keys()].filter((t) => !expected.targets.includes(t));
  if (unknown.length > 0)
    throw new InputError(`reports for ${unknown.join(', ')}, which ${expected.file} does not name`, {
      hint: `Its targets: ${expected.targets.join(', ')}. Remove stale reports, or summarize with the config they were made with.`,
    });
  const now = new Date().toISOString();
  return expected.targets.map(
    (target) =>
      byTarget.get(target) ??
      failedReport(
        target,
        `no report for target ${target}: the job that diffs it left none (it failed, was cancelled, or did not upload its report)`,
        'diff',
        now,
        VERSION,
      ),
  );
}

/** The reports and notes of a roll-up, and the targets without a report: the action's `summarize` input and the CLI share it. */
export async function summarizeReports(
  files: string[],
  repoRoot: string,
  options: { config?: string; base?: string; select: string[] },
): Promise<{ reports: Report[]; notes: string[]; missing: string[] }> {
  const byTarget = readReports(files);
  if (!options.config) return { reports: orderReports(byTarget), notes: [], missing: [] };
  const config = await loadConfig(repoRoot, { path: options.config, ref: options.base });
  const names = options.select
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !config.targets.some((t) => t.name === n));
  if (unknown.length > 0) throw new InputError(`${config.file} has no target ${unknown.join(', ')}`);
  const targets = config.targets.map((t) => t.name).filter((n) => names.length === 0 || names.includes(n));
  return {
    reports: orderReports(byTarget, { file: config.file, targets }),
    notes: configNotes(config),
    missing: targets.filter((t) => !byTarget.has(t)),
  };
}
