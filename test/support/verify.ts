// Shared by the soundness tests of the in-sync proof (test/integration/drift/verify*.test.ts):
// kube-drift diff run with --verify all and --verify auto on the same cluster state, and the
// comparison of their reports object by object, field by field, and review by review.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FieldChange, RiskFinding, RiskGap } from '../../src/model.ts';
import { spawnCli } from '../integration/faults/support.ts';
import { kubeconfigPath, kubectl } from './cluster.ts';

export interface JsonEntry {
  kind: string;
  namespace: string | null;
  name: string;
  action: string;
  changes: FieldChange[];
  diff: string;
  note?: string;
}

export interface JsonReport {
  summary: Record<string, number>;
  driftDetected: boolean;
  entries: JsonEntry[];
  errors: { message: string; object?: string }[];
  verification?: { dryRun: number; proof: number; clientSide: number; notVerifiable: number };
  risks: RiskFinding[];
  risksUnchecked?: RiskGap[];
}

export interface Run {
  code: number;
  report: JsonReport;
}

interface Diagnostics {
  diagnostic: (message: string) => void;
}

export async function cli(
  repo: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return spawnCli([...args, '--kubeconfig', kubeconfigPath()], {}, repo).done;
}

/** `kube-drift apply` of PATHS into namespace NS, the target named after it. */
export async function applyWithKubeDrift(repo: string, ns: string, paths: string[]): Promise<void> {
  const applied = await cli(repo, [
    'apply',
    '-n',
    ns,
    '--target',
    ns,
    ...paths.flatMap((p) => ['--path', p]),
  ]);
  assert.equal(applied.code, 0, applied.stderr);
}

export async function diff(repo: string, ns: string, paths: string[], verify: 'auto' | 'all'): Promise<Run> {
  const args = ['diff', '-n', ns, '--target', ns, '-o', 'json', '--verify', verify];
  for (const p of paths) args.push('--path', p);
  const run = await cli(repo, args);
  assert.ok(
    run.stdout.startsWith('{'),
    `expected a JSON report, got: ${run.stdout.slice(0, 300)} ${run.stderr}`,
  );
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport };
}

export function subjectOfEntry(e: Pick<JsonEntry, 'kind' | 'namespace' | 'name'>): string {
  return `${e.kind}/${e.namespace ? `${e.namespace}/` : ''}${e.name}`;
}

/**
 * Where two reports differ, object by object: the entry (action, field changes with their
 * attribution, diff, note) and the risk review's findings about it. `describe` names what a
 * subject was made of (a generated case), for the failure message.
 */
export function differences(
  all: JsonReport,
  auto: JsonReport,
  describe: (subject: string) => string = () => '',
): string[] {
  const out: string[] = [];
  const byKey = (report: JsonReport) => new Map(report.entries.map((e) => [subjectOfEntry(e), e]));
  const allEntries = byKey(all);
  const autoEntries = byKey(auto);
  const risksOf = (report: JsonReport, subject: string) => report.risks.filter((r) => r.subject === subject);
  const subjects = new Set([
    ...allEntries.keys(),
    ...autoEntries.keys(),
    ...all.risks.map((r) => r.subject),
    ...auto.risks.map((r) => r.subject),
  ]);
  for (const subject of subjects) {
    const a = allEntries.get(subject);
    const b = autoEntries.get(subject);
    const problems: string[] = [];
    if (!a !== !b) problems.push(`entry only with --verify ${a ? 'all' : 'auto'}`);
    else if (a && b) {
      if (a.action !== b.action) problems.push(`action: all ${a.action}, auto ${b.action}`);
      const changes = (e: JsonEntry) => e.changes.map((c) => JSON.stringify(c));
      const onlyAll = changes(a).filter((c) => !changes(b).includes(c));
      const onlyAuto = changes(b).filter((c) => !changes(a).includes(c));
      if (onlyAll.length || onlyAuto.length)
        problems.push(`changes only with all: ${onlyAll.join(', ')}; only with auto: ${onlyAuto.join(', ')}`);
      else if (JSON.stringify(changes(a)) !== JSON.stringify(changes(b)))
        problems.push('changes in another order');
      if (a.diff !== b.diff) problems.push(`diff:\n--- all\n${a.diff}\n--- auto\n${b.diff}`);
      if (a.note !== b.note) problems.push(`note: all ${a.note}, auto ${b.note}`);
    }
    const riskA = JSON.stringify(risksOf(all, subject));
    const riskB = JSON.stringify(risksOf(auto, subject));
    if (riskA !== riskB) problems.push(`risks: all ${riskA}, auto ${riskB}`);
    if (problems.length) out.push(`${subject} ${describe(subject)}\n  ${problems.join('\n  ')}`);
  }
  return out;
}

/**
 * Diffs in both modes, one right after the other, and asserts the same exit status, summary,
 * errors, entries (action, every field change with its attribution, diff, note) and risk
 * review (findings in order, and the rules it could not check).
 */
export async function bothModes(
  repo: string,
  ns: string,
  paths: string[],
  t?: Diagnostics,
  describe?: (subject: string) => string,
  /** Where to write both reports (all.json, auto.json) before comparing them. */
  reportsDir?: string,
): Promise<{ auto: Run; all: Run }> {
  const all = await diff(repo, ns, paths, 'all');
  const auto = await diff(repo, ns, paths, 'auto');
  t?.diagnostic(`${ns}: verify auto ${JSON.stringify(auto.report.verification)}`);
  if (reportsDir)
    for (const [name, run] of Object.entries({ all, auto }))
      writeFileSync(join(reportsDir, `${name}.json`), JSON.stringify(run.report, null, 2));
  const found = differences(all.report, auto.report, describe);
  assert.deepEqual(found, [], `--verify all and --verify auto differ:\n${found.join('\n')}`);
  assert.deepEqual(auto.report.errors, all.report.errors);
  assert.deepEqual(auto.report.entries, all.report.entries);
  assert.deepEqual(auto.report.risks, all.report.risks);
  assert.deepEqual(auto.report.risksUnchecked, all.report.risksUnchecked);
  assert.deepEqual(auto.report.summary, all.report.summary);
  assert.equal(auto.code, all.code);
  // Every object compared was dry-run with --verify all; one the server refused is an error, not an entry.
  const compared =
    all.report.entries.filter((e) => e.action !== 'skipped' && e.action !== 'deleted').length +
    all.report.errors.filter((e) => e.object).length;
  assert.deepEqual(all.report.verification, { dryRun: compared, proof: 0, clientSide: 0, notVerifiable: 0 });
  const v = auto.report.verification;
  assert.equal((v?.dryRun ?? 0) + (v?.proof ?? 0), compared);
  return { auto, all };
}

/**
 * Client mode (no dry-run) on the same state: never drift the server does not report (no false
 * drift), and the server's drift either found or the object not verifiable, never missed silently.
 */
export async function clientAgrees(
  repo: string,
  ns: string,
  paths: string[],
  server: JsonReport,
  t: Diagnostics,
): Promise<void> {
  const args = ['diff', '-n', ns, '--target', ns, '-o', 'json', '--diff-mode', 'client'];
  const run = await cli(repo, [...args, ...paths.flatMap((p) => ['--path', p])]);
  const client = JSON.parse(run.stdout) as JsonReport;
  t.diagnostic(`${ns}: client mode ${JSON.stringify(client.verification)}`);
  const key = (e: JsonEntry) => `${e.kind}/${e.name}`;
  const serverDrift = new Set(server.entries.filter((e) => e.action !== 'unchanged').map(key));
  for (const e of client.entries) {
    if (e.action === 'configured' || e.action === 'created' || e.action === 'deleted')
      assert.ok(serverDrift.has(key(e)), `client mode reports ${key(e)} ${e.action}, server mode does not`);
  }
  const clientAction = new Map(client.entries.map((e) => [key(e), e]));
  for (const subject of serverDrift) {
    const e = clientAction.get(subject);
    const unverifiable = e?.action === 'skipped' && e.note?.startsWith('not verifiable without a dry-run');
    assert.ok(
      e && (e.action !== 'unchanged' || unverifiable),
      `${subject}: server mode drift, client mode ${e?.action}`,
    );
  }
}

/** `Kind/name action /changed/paths` of every entry that is not unchanged. */
export function drifted(report: JsonReport): string[] {
  return report.entries
    .filter((e) => e.action !== 'unchanged')
    .map((e) => `${e.kind}/${e.name} ${e.action} ${e.changes.map((c) => c.path).join(' ')}`.trim());
}

/**
 * Removes what a test target leaves besides its namespace: kube-drift's inventory of it, and
 * custom resources (deleted first, so the namespace can go even when a CRD goes before it).
 */
export async function forgetTarget(ns: string, customResources: string[] = []): Promise<void> {
  await kubectl([
    '-n',
    'kube-drift-system',
    'delete',
    'configmap',
    `kube-drift-inventory-${ns}`,
    '--ignore-not-found',
  ]);
  for (const resource of customResources)
    await kubectl(['-n', ns, 'delete', resource, '--all', '--ignore-not-found']);
}
