// The action face of the engine: inputs → settings → the flow (src/flow.ts) → outputs, job
// summary, comment, check run. Everything it writes goes through the run's one Redactor into
// src/output/actions.ts, and a failed run is reported by one setFailed at the end.
import { tmpdir } from 'node:os';
import { parse as parseYaml } from 'yaml';
import type { EngineHooks } from './engine.ts';
import { describeError } from './errors.ts';
import { runFlow } from './flow.ts';
import { type RunContext, readRunContext } from './github/context.ts';
import { Publisher, writeJobSummary } from './github/publisher.ts';
import { decodeInline } from './kube/kubeconfig.ts';
import { actionLog, maskInLog, readInput, setFailed, setOutput } from './output/actions.ts';
import { MIN_SECRET_LENGTH, Redactor } from './redaction.ts';
import { remediationRefusal } from './remediate/guard.ts';
import { secretLines } from './render/sops/keys.ts';
import { renderMarkdown } from './report/markdown.ts';
import type { Report } from './report/model.ts';
import { riskFailure, riskVerdictText } from './report/risk-verdict.ts';
import { OPTIONS, parseSettings, type Settings } from './settings.ts';

const SUMMARY_BUDGET = 1024 * 1024 - 4096;

export async function run(): Promise<void> {
  // Every value registered is also masked by the runner in the log.
  const redactor = new Redactor(maskInLog);
  let publisher: Publisher | undefined;
  let failure: string | undefined;
  let status: 0 | 1 | 2 = 2;
  try {
    const context = readRunContext();
    const settings = readSettings(context, redactor);
    const hooks: EngineHooks = {
      info: (message) => actionLog.info(redactor.redact(message)),
      warning: (message) => actionLog.warning(redactor.redact(message)),
    };
    publisher = new Publisher(context, publishSettings(settings), { log: hooks, redactor });
    await publisher.begin();

    actionLog.startGroup(redactor.redact(`kube-drift: ${settings.target} (${settings.paths.join(', ')})`));
    const outcome = await runFlow(settings, hooks, redactor, {
      apply: mayApply(settings, context, hooks),
    }).finally(() => actionLog.endGroup());
    status = outcome.status;
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
    failure = conclusion(outcome.report, status, settings);
    if (!failure) actionLog.info(redactor.redact(passed(outcome.report, settings)));
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

/**
 * The action's settings, parsed once with what the run knows (the pull request's base, where
 * the report goes). Every credential among the inputs is registered with the redactor first.
 */
function readSettings(context: RunContext, redactor: Redactor): Settings {
  const raw: Record<string, string> = {};
  for (const option of OPTIONS) if (option.scope !== 'cli') raw[option.name] = readInput(option.name);
  const secret = (value: string | undefined) => {
    if (!value) return;
    // The runner masks a credential in the log even when it is too short to redact by value.
    if (value.length < MIN_SECRET_LENGTH) maskInLog(value);
    redactor.add(value);
  };
  secret(raw['github-token']);
  // Key material, line by line: the runner masks a multi-line value only line by line.
  for (const key of [
    raw['sops-age-key'],
    raw['sops-pgp-key'],
    raw['chart-credentials'],
    process.env.SOPS_AGE_KEY,
  ])
    for (const line of secretLines(key ?? '')) secret(line);
  const settings = parseSettings('diff', raw, {
    repoRoot: process.env.GITHUB_WORKSPACE || process.cwd(),
    isAction: true,
    pullRequestBase: context.pullRequest?.baseSha,
    reportDir: process.env.RUNNER_TEMP || tmpdir(),
  });
  // Only kubeconfig content is secret: masking a path would turn the path into *** in every
  // message, and a short one (`kubeconfig`) would mask the word all over the log.
  for (const value of kubeconfigSecrets(settings.kubeconfig.inline)) secret(value);
  return settings;
}

function publishSettings(settings: Settings): ConstructorParameters<typeof Publisher>[1] {
  return {
    token: settings.github.token,
    target: settings.target,
    comment: settings.github.comment,
    checkRun: settings.github.checkRun,
    failOnDrift: settings.failOnDrift,
    issue: settings.github.issue,
    issueLabels: settings.github.issueLabels,
    webhookUrl: settings.github.webhookUrl,
    webhookFormat: settings.github.webhookFormat,
  };
}

/** Whether this run may write, decided before anything is read: a refused run only reports. */
function mayApply(settings: Settings, context: RunContext, hooks: EngineHooks): boolean {
  if (!settings.remediation.remediate) return false;
  const refusal = remediationRefusal(
    { eventName: context.eventName, ref: context.ref, defaultBranch: context.defaultBranch },
    settings.remediation.allowedRefs,
  );
  if (refusal)
    hooks.warning(
      `remediation refused: ${refusal}. The cluster was not changed; this run only reports drift.`,
    );
  return !refusal;
}

/**
 * What GitHub must mask of an inline kubeconfig: the input as given, the YAML it decodes to,
 * and each credential on its own — the runner masks line by line, so a multi-line value alone
 * would not hide a credential printed on one line.
 */
function kubeconfigSecrets(inline: string | undefined): string[] {
  if (!inline?.trim()) return [];
  const secrets = [inline, inline.trim()];
  let parsed: { users?: Array<{ user?: Record<string, unknown> }> } | undefined;
  try {
    const decoded = decodeInline(inline);
    secrets.push(decoded, decoded.trim());
    parsed = parseYaml(decoded) as typeof parsed;
  } catch {
    return secrets;
  }
  for (const user of parsed?.users ?? []) {
    for (const value of Object.values(user?.user ?? {})) {
      if (typeof value === 'string' && value.length >= 8) secrets.push(value);
    }
  }
  return [...new Set(secrets)];
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
