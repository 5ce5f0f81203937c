// The action face of the engine: inputs → settings → the flow (src/flow.ts) → outputs, job
// summary, comment, check run. Everything it writes goes through the run's one Redactor into
// src/output/actions.ts, and a failed run is reported by one setFailed at the end.

import { fleetFace } from './action-fleet.ts';
import {
  type ActionInputs,
  mayApply,
  publishSettings,
  readActionInputs,
  registerKubeconfig,
} from './action-inputs.ts';
import type { EngineHooks } from './engine.ts';
import { describeError } from './errors.ts';
import { runFlow } from './flow.ts';
import { type RunContext, readRunContext } from './github/context.ts';
import { Publisher, writeJobSummary } from './github/publisher.ts';
import { actionLog, maskInLog, setFailed, setOutput } from './output/actions.ts';
import { Redactor } from './redaction.ts';
import { renderMarkdown } from './report/markdown.ts';
import type { Report } from './report/model.ts';
import { riskFailure, riskVerdictText } from './report/risk-verdict.ts';
import { parseSettings, type Settings } from './settings.ts';

const SUMMARY_BUDGET = 1024 * 1024 - 4096;

export async function run(): Promise<void> {
  // Every value registered is also masked by the runner in the log.
  const redactor = new Redactor(maskInLog);
  let publisher: Publisher | undefined;
  let failure: string | undefined;
  let status: 0 | 1 | 2 = 2;
  try {
    const context = readRunContext();
    const inputs = readActionInputs(context, redactor);
    const fleet = fleetFace(context, inputs, redactor);
    ({ status, failure } =
      (fleet && (await fleet())) ||
      (await runOneTarget(context, inputs, redactor, (p) => {
        publisher = p;
      })));
  } catch (error) {
    status = 2;
    failure = describeError(error);
    if (publisher) await publisher.failed(new Error(redactor.redact(failure))).catch(() => undefined);
  }
  setOutput('exit-code', redactor.redact(String(status)));
  if (failure) setFailed(redactor.redact(failure));
  // As kubectl diff: 2 is an error, 1 is drift (setFailed sets 1).
  if (status === 2) process.exitCode = 2;
}

/** One target from the inputs: the flow, its outputs, job summary, check run and comment. */
async function runOneTarget(
  context: RunContext,
  inputs: ActionInputs,
  redactor: Redactor,
  onPublisher: (publisher: Publisher) => void,
): Promise<{ status: 0 | 1 | 2; failure?: string }> {
  const settings = parseSettings('diff', inputs.raw, inputs.parseContext);
  registerKubeconfig(settings, inputs.secret);
  const hooks: EngineHooks = {
    info: (message) => actionLog.info(redactor.redact(message)),
    warning: (message) => actionLog.warning(redactor.redact(message)),
  };
  const publisher = new Publisher(context, publishSettings(settings), { log: hooks, redactor });
  onPublisher(publisher);
  await publisher.begin();

  actionLog.startGroup(redactor.redact(`kube-drift: ${settings.target} (${settings.paths.join(', ')})`));
  const outcome = await runFlow(settings, hooks, redactor, {
    apply: mayApply(settings, context, hooks),
  }).finally(() => actionLog.endGroup());
  const status = outcome.status;
  const reportFile = settings.reportFile!;
  setReportOutputs(outcome.report, reportFile, redactor);
  const markdown = renderMarkdown(outcome.report, {
    budgetBytes: SUMMARY_BUDGET,
    title: `kube-drift: ${settings.target}`,
    fullReportHint: `the JSON report (${reportFile})`,
  });
  await writeJobSummary(markdown, redactor);
  // The publisher logs its own warnings (through hooks.warning).
  const published = await publisher.finish(outcome.report, {
    reportJsonPath: reportFile,
    remediated: outcome.remediated,
    // Drift that fail-on lets pass (exit status 0) concludes the check run neutral.
    failOnDrift: settings.failOnDrift && status !== 0,
  });
  if (published.commentUrl) setOutput('comment-url', redactor.redact(published.commentUrl));
  if (published.checkRunUrl) setOutput('check-run-url', redactor.redact(published.checkRunUrl));
  if (published.issueUrl) setOutput('issue-url', redactor.redact(published.issueUrl));
  const failure = conclusion(outcome.report, status, settings);
  if (!failure) actionLog.info(redactor.redact(passed(outcome.report, settings)));
  return { status, failure };
}

function setReportOutputs(report: Report, reportFile: string, redactor: Redactor): void {
  setOutput('drift-detected', redactor.redact(String(report.driftDetected)));
  for (const [key, value] of Object.entries(report.summary)) setOutput(key, redactor.redact(String(value)));
  setOutput('report-json', redactor.redact(reportFile));
}

/** Why the action fails, or undefined when it passes. */
function conclusion(report: Report, status: 0 | 1 | 2, settings: Settings): string | undefined {
  const s = report.summary;
  if (status === 2) return `kube-drift: ${s.errors} error(s) for target ${settings.target}; see the report.`;
  const risk = riskFailure(report);
  const reasons = [
    status === 1 && settings.failOnDrift
      ? `drift in target ${settings.target}: ${s.created} to create, ${s.configured} drifted, ${s.deleted} to delete`
      : '',
    risk ? `risk review of target ${settings.target} ${risk}` : '',
  ].filter(Boolean);
  return reasons.length > 0 ? `kube-drift: ${reasons.join('; ')}.` : undefined;
}

function passed(report: Report, settings: Settings): string {
  const found = report.driftDetected
    ? `drift found (not failing: fail-on-drift ${settings.failOnDrift}, fail-on ${settings.failOn})`
    : 'in sync';
  const risk = report.riskVerdict ? `; risk review ${riskVerdictText(report.riskVerdict, report)}` : '';
  return `kube-drift: ${found} for target ${settings.target}${risk}.`;
}
