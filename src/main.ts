// The action face of the engine: inputs → the flow → outputs, summary, comment, check run.
// Everything it writes goes through the run's one Redactor into src/output/actions.ts.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { converge, diff, type EngineHooks, exitStatus } from './engine.ts';
import { describeError } from './errors.ts';
import { readRunContext } from './github/context.ts';
import { Publisher, writeJobSummary } from './github/publisher.ts';
import { decodeInline } from './kube/kubeconfig.ts';
import { actionLog, maskInLog, readInput, setFailed, setOutput } from './output/actions.ts';
import { writeOutputFile } from './output/files.ts';
import { MIN_SECRET_LENGTH, Redactor } from './redaction.ts';
import { remediationRefusal } from './remediate/guard.ts';
import { secretLines } from './render/sops/keys.ts';
import { renderJson } from './report/json.ts';
import { renderMarkdown } from './report/markdown.ts';
import type { Report } from './report/model.ts';
import { OPTIONS, parseSettings, type Settings } from './settings.ts';

const SUMMARY_BUDGET = 1024 * 1024 - 4096;

export async function run(): Promise<void> {
  // Every value registered is also masked by the runner in the log.
  const redactor = new Redactor(maskInLog);
  let publisher: Publisher | undefined;
  try {
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
    ]) {
      for (const line of secretLines(key ?? '')) secret(line);
    }
    const context = readRunContext();
    const settings = parseSettings('diff', raw, {
      repoRoot: process.env.GITHUB_WORKSPACE || process.cwd(),
      isAction: true,
    });
    // Only kubeconfig content is secret: masking a path would turn the path into *** in every
    // message, and a short one (`kubeconfig`) would mask the word all over the log.
    for (const value of kubeconfigSecrets(settings.kubeconfig.inline)) secret(value);
    // A pull request has a base to compare with: the three-way preview.
    if (settings.threeWay === 'auto' && context.pullRequest?.baseSha)
      settings.base = context.pullRequest.baseSha;
    const hooks: EngineHooks = {
      info: (message) => actionLog.info(redactor.redact(message)),
      warning: (message) => actionLog.warning(redactor.redact(message)),
    };

    publisher = new Publisher(
      context,
      {
        token: settings.github.token,
        target: settings.target,
        comment: settings.github.comment,
        checkRun: settings.github.checkRun,
        failOnDrift: settings.failOnDrift,
        issue: settings.github.issue,
        issueLabels: settings.github.issueLabels,
        webhookUrl: settings.github.webhookUrl,
        webhookFormat: settings.github.webhookFormat,
      },
      { log: hooks, redactor },
    );
    await publisher.begin();

    actionLog.startGroup(redactor.redact(`kube-drift: ${settings.target} (${settings.paths.join(', ')})`));
    // Whether this run may write is decided before anything is read: a refused run only reports.
    const refusal = settings.remediation.remediate
      ? remediationRefusal(
          { eventName: context.eventName, ref: context.ref, defaultBranch: context.defaultBranch },
          settings.remediation.allowedRefs,
        )
      : undefined;
    if (refusal) {
      hooks.warning(
        `remediation refused: ${refusal}. The cluster was not changed; this run only reports drift.`,
      );
    }
    const applying = settings.remediation.remediate && !refusal;
    const result = await diff(settings, hooks, redactor, { forApply: applying });
    let report: Report = result.report;
    let status = exitStatus(report, settings.failOn);
    let remediated = false;
    try {
      if (applying) {
        const applied = await converge(result, settings, hooks);
        report = applied.report;
        status = applied.exitStatus;
        remediated = report.summary.created + report.summary.configured + report.summary.deleted > 0;
      }
    } finally {
      await result.close();
      actionLog.endGroup();
    }

    const reportFile =
      settings.reportFile ?? join(process.env.RUNNER_TEMP || tmpdir(), `kube-drift-${settings.target}.json`);
    writeOutputFile(reportFile, redactor.redact(renderJson(report)));
    setOutputs(report, reportFile, redactor);

    const markdown = renderMarkdown(report, {
      budgetBytes: SUMMARY_BUDGET,
      title: `kube-drift: ${settings.target}`,
      fullReportHint: `the JSON report (${reportFile})`,
    });
    await writeJobSummary(markdown, redactor);
    const published = await publisher.finish(report, {
      reportJsonPath: reportFile,
      remediated,
      // Drift that fail-on lets pass (exit status 0) concludes the check run neutral.
      failOnDrift: settings.failOnDrift && status !== 0,
    });
    if (published.commentUrl) setOutput('comment-url', redactor.redact(published.commentUrl));
    if (published.checkRunUrl) setOutput('check-run-url', redactor.redact(published.checkRunUrl));
    if (published.issueUrl) setOutput('issue-url', redactor.redact(published.issueUrl));
    // The publisher has logged its warnings already (through hooks.warning).

    conclude(report, status, settings, redactor);
  } catch (error) {
    const message = redactor.redact(describeError(error));
    if (publisher) await publisher.failed(new Error(message)).catch(() => undefined);
    setOutput('exit-code', redactor.redact('2'));
    setFailed(message);
    process.exitCode = 2;
  }
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

function setOutputs(report: Report, reportFile: string, redactor: Redactor): void {
  setOutput('drift-detected', redactor.redact(String(report.driftDetected)));
  for (const [key, value] of Object.entries(report.summary)) setOutput(key, redactor.redact(String(value)));
  setOutput('report-json', redactor.redact(reportFile));
}

function conclude(report: Report, status: 0 | 1 | 2, settings: Settings, redactor: Redactor): void {
  setOutput('exit-code', redactor.redact(String(status)));
  const s = report.summary;
  const say = (text: string) => redactor.redact(text);
  if (status === 2) {
    setFailed(say(`kube-drift: ${s.errors} error(s) for target ${settings.target}; see the report.`));
    // As kubectl diff: 2 is an error, 1 is drift (setFailed sets 1).
    process.exitCode = 2;
  } else if (status === 1 && settings.failOnDrift) {
    setFailed(
      say(
        `kube-drift: drift in target ${settings.target}: ${s.created} to create, ${s.configured} drifted, ${s.deleted} to delete.`,
      ),
    );
  } else {
    actionLog.info(
      say(
        `kube-drift: ${report.driftDetected ? `drift found (not failing: fail-on-drift ${settings.failOnDrift}, fail-on ${settings.failOn})` : 'in sync'} for target ${settings.target}.`,
      ),
    );
  }
}
