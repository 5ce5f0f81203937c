// The apply half of the flow: remediate the plan a diff made, report what was done, and the
// exit status of both halves.
import type { FailOn } from '../drift/threeway.ts';
import { failsOn } from '../drift/threeway.ts';
import { type RemediationResult, remediate } from '../remediate/index.ts';
import { buildReport, isThreeWay, type Report } from '../report/model.ts';
import type { Settings } from '../settings.ts';
import { VERSION } from '../version.ts';
import type { DiffResult } from './diff.ts';
import type { EngineHooks } from './hooks.ts';

/**
 * Exit status as `kubectl diff`: 0 in sync, 1 drift, 2 error. In a three-way preview,
 * `failOn` narrows what counts: only the PR's own changes, or only drift already there.
 * A live report cannot tell whose a change is, so there every drift fails: a check that
 * cannot tell must not pass.
 */
export function exitStatus(report: Report, failOn: FailOn = 'any'): 0 | 1 | 2 {
  if (report.summary.errors > 0) return 2;
  if (!report.driftDetected) return 0;
  if (failOn === 'any' || !isThreeWay(report)) return 1;
  return failsOn(report.entries, failOn) ? 1 : 0;
}

export interface ConvergeResult {
  remediation: RemediationResult;
  report: Report;
  exitStatus: 0 | 1 | 2;
}

/**
 * Applies the plan (remediation), then reports what was done. The plan must come from
 * `diff(…, { forApply: true })`, which holds the target's Lease until `close()`.
 */
export async function converge(
  result: DiffResult,
  settings: Settings,
  hooks: EngineHooks,
): Promise<ConvergeResult> {
  const r = settings.remediation;
  const remediation = await remediate(
    result.plan,
    result.connection.cluster,
    {
      target: settings.target,
      fieldManager: settings.fieldManager,
      takeoverManagers: settings.takeoverManagers,
      concurrency: settings.concurrency,
      prune: r.prune,
      wait: r.wait,
      timeoutSeconds: r.timeoutSeconds,
      force: r.force,
      dryRun: r.dryRun,
      maxDeletions: r.maxDeletions,
      inventoryNamespace: r.inventoryNamespace,
      suspend: r.suspend,
      skipUnhealthy: r.skipUnhealthy,
      redactor: result.redactor,
      owner: result.owner.owner,
      paths: settings.paths,
    },
    hooks,
  );
  // Remarks on what was rendered (files skipped as not manifests) hold for the apply report too.
  const runNotes = result.desired.runNotes ?? [];
  if (runNotes.length > 0)
    remediation.changeSet.notes = [...runNotes, ...(remediation.changeSet.notes ?? [])];
  const report = buildReport(remediation.changeSet, {
    target: settings.target,
    mode: 'apply',
    generatedAt: new Date().toISOString(),
    kubeDriftVersion: VERSION,
    cluster: result.connection.server,
  });
  const exitStatus =
    report.summary.errors > 0 ? 2 : remediation.unhealthy.length > 0 || remediation.driftRemaining ? 1 : 0;
  return { remediation, report, exitStatus };
}
