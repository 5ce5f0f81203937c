// Many targets in one run: the flow (src/flow.ts) once per target, a few targets at a time, each
// with its own connection, Lease and inventory. A target that fails (unreachable cluster, bad
// kubeconfig) becomes that target's error report; the others run on. Exit status: the worst.
import { forEachLimited } from './concurrency.ts';
import type { EngineHooks } from './engine/hooks.ts';
import { describeError } from './errors.ts';
import { runFlow } from './flow.ts';
import { writeOutputFile } from './output/files.ts';
import type { Redactor } from './redaction.ts';
import { failedReport } from './report/fleet.ts';
import { renderJson } from './report/json.ts';
import type { Report } from './report/model.ts';
import type { FleetTarget } from './settings/fleet.ts';
import type { Settings } from './settings.ts';
import { VERSION } from './version.ts';

/** Targets diffed at once: each holds a connection and its own bounded request concurrency. */
export const TARGET_CONCURRENCY = 4;

export interface TargetOutcome {
  target: string;
  report: Report;
  status: 0 | 1 | 2;
  remediated: boolean;
  settings?: Settings;
}

export interface FleetRunOptions {
  mode: Report['mode'];
  hooksFor: (target: string) => EngineHooks;
  redactor: Redactor;
  /** Whether this target's run may write (the face has checked where it runs). */
  apply: (settings: Settings) => boolean;
  concurrency?: number;
}

/** The outcomes in the targets' order, whatever order they finished in. */
export async function runFleet(targets: FleetTarget[], options: FleetRunOptions): Promise<TargetOutcome[]> {
  const outcomes = new Map<string, TargetOutcome>();
  await forEachLimited(targets, options.concurrency ?? TARGET_CONCURRENCY, async (target) => {
    outcomes.set(target.name, await runTarget(target, options));
  });
  return targets.map((t) => outcomes.get(t.name)!);
}

async function runTarget(target: FleetTarget, options: FleetRunOptions): Promise<TargetOutcome> {
  const hooks = options.hooksFor(target.name);
  const settings = target.settings;
  let message = target.error;
  if (settings && !message) {
    try {
      const outcome = await runFlow(settings, hooks, options.redactor, { apply: options.apply(settings) });
      return { target: target.name, settings, ...outcome };
    } catch (error) {
      message = describeError(error);
    }
  }
  const mode = settings?.command === 'apply' || settings?.remediation.remediate ? 'apply' : options.mode;
  const report = failedReport(target.name, message ?? 'no report', mode, new Date().toISOString(), VERSION);
  hooks.warning(`target ${target.name} failed: ${message}`);
  if (settings?.reportFile) writeOutputFile(settings.reportFile, options.redactor.redact(renderJson(report)));
  return { target: target.name, report, status: 2, remediated: false, settings };
}

/** The run's exit status: the worst of its targets'. */
export function worstStatus(outcomes: Pick<TargetOutcome, 'status'>[]): 0 | 1 | 2 {
  return outcomes.reduce<0 | 1 | 2>((worst, o) => (o.status > worst ? o.status : worst), 0);
}
