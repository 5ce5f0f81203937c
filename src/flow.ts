// The one flow both faces run: diff → exit status → converge → JSON report file. The action
// and the CLI parse settings before it and present its outcome after it, nothing more.

import type { EngineHooks } from './engine/hooks.ts';
import { converge, diff, exitStatus } from './engine.ts';
import { writeOutputFile } from './output/files.ts';
import type { Redactor } from './redaction.ts';
import { renderJson } from './report/json.ts';
import type { Report } from './report/model.ts';
import { judgeRisks, statusWithRisks } from './report/risk-verdict.ts';
import type { Settings } from './settings.ts';

export interface FlowOutcome {
  /** The diff's report, or the apply's when the run applied. */
  report: Report;
  /** As `kubectl diff`: 0 in sync (or converged), 1 drift remains (or fail-on-risk failed the preview), 2 error. */
  status: 0 | 1 | 2;
  /** Whether the run changed the cluster. */
  remediated: boolean;
}

/**
 * Diffs, and converges when `apply` (the face has checked that this run may write). The
 * Lease and connection are released before the outcome is returned, failure or not.
 */
export async function runFlow(
  settings: Settings,
  hooks: EngineHooks,
  redactor: Redactor,
  options: { apply: boolean },
): Promise<FlowOutcome> {
  const result = await diff(settings, hooks, redactor, { forApply: options.apply });
  // fail-on-risk judges the preview: the findings are about what applying would do.
  const riskVerdict = judgeRisks(result.report.risks, settings.risk.failOn);
  if (riskVerdict) result.report.riskVerdict = riskVerdict;
  let outcome: FlowOutcome = {
    report: result.report,
    status: statusWithRisks(exitStatus(result.report, settings.failOn), riskVerdict),
    remediated: false,
  };
  try {
    if (options.apply) {
      const applied = await converge(result, settings, hooks);
      const s = applied.report.summary;
      outcome = {
        report: applied.report,
        status: applied.exitStatus,
        remediated: s.created + s.configured + s.deleted > 0,
      };
    }
  } finally {
    await result.close();
  }
  if (settings.reportFile) writeOutputFile(settings.reportFile, redactor.redact(renderJson(outcome.report)));
  return outcome;
}
