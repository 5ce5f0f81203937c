// The action's fleet face: with a config (the `config` input, or kube-drift.yaml at the root when
// neither path nor target is given) it runs every target in one job; with `summarize` it rolls
// matrix jobs' JSON reports up. Either way: one PR comment, one job summary; a run also leaves
// one check run per target. On pull requests the config is read from the base commit.
import { existsSync, globSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type ActionInputs,
  kubeconfigSecrets,
  mayApply,
  publishSettings,
  registerKubeconfig,
} from './action-inputs.ts';
import type { EngineHooks } from './engine/hooks.ts';
import { runFleet, type TargetOutcome, worstStatus } from './fleet.ts';
import { createOctokit, type GitHubClient } from './github/client.ts';
import type { RunContext } from './github/context.ts';
import type { FleetRollUp } from './github/publish-fleet.ts';
import { Publisher, type PublishSettings } from './github/publisher.ts';
import { basicPublishSettings, postRollUp } from './github/roll-up.ts';
import { actionLog, setOutput } from './output/actions.ts';
import type { Redactor } from './redaction.ts';
import { readFileAtCommit } from './render/git-base.ts';
import { roundTrip } from './report/fleet.ts';
import type { Report } from './report/model.ts';
import { CONFIG_FILE } from './settings/config-file.ts';
import { planFleet } from './settings/fleet.ts';
import { DEFAULT_TARGET } from './settings.ts';
import { summarizeReports } from './summarize.ts';

type FaceResult = { status: 0 | 1 | 2; failure?: string };

/** The fleet face for these inputs, or undefined (or a face that answers undefined) when the run is one target from the inputs. */
export function fleetFace(
  context: RunContext,
  inputs: ActionInputs,
  redactor: Redactor,
): (() => Promise<FaceResult | undefined>) | undefined {
  const raw = inputs.raw as Record<string, string>;
  const repoRoot = inputs.parseContext.repoRoot;
  const given = raw.config?.trim();
  const implicit =
    !given &&
    (raw.path ?? '.').trim() === '.' &&
    [DEFAULT_TARGET, ''].includes((raw.target ?? '').trim()) &&
    existsSync(resolve(repoRoot, CONFIG_FILE));
  const config = given || (implicit ? CONFIG_FILE : undefined);
  if (raw.summarize?.trim()) return () => summarizeAction(context, inputs, redactor, config);
  if (!config) return undefined;
  return async () => {
    const base = context.pullRequest?.baseSha;
    if (implicit && base && (await readFileAtCommit(repoRoot, base, CONFIG_FILE)) === undefined) {
      // The pull request adds the config: it takes effect once merged; until then, the inputs.
      actionLog.warning(
        redactor.redact(
          `${CONFIG_FILE} is not in the base commit, so this pull request runs as the inputs say; the config takes effect once merged.`,
        ),
      );
      return undefined;
    }
    return fleetAction(context, inputs, redactor, config);
  };
}

/** Targets named by the target input; the default name means every target. */
function selected(raw: Record<string, string>): string[] {
  const target = (raw.target ?? '').trim();
  return target === '' || target === DEFAULT_TARGET ? [] : [target];
}

function hooksFor(redactor: Redactor) {
  return (target: string): EngineHooks => ({
    info: (message) => actionLog.info(redactor.redact(`[${target}] ${message}`)),
    warning: (message) => actionLog.warning(redactor.redact(`[${target}] ${message}`)),
  });
}

async function fleetAction(
  context: RunContext,
  inputs: ActionInputs,
  redactor: Redactor,
  configPath: string,
): Promise<FaceResult> {
  const raw = inputs.raw as Record<string, string>;
  const plan = await planFleet({
    command: 'diff',
    raw: inputs.raw,
    configPath,
    // A pull request does not choose where credentials come from: the base's config decides.
    ref: context.pullRequest?.baseSha,
    select: selected(raw),
    context: inputs.parseContext,
    secret: (value) => {
      for (const secret of kubeconfigSecrets(value)) inputs.secret(secret);
    },
  });
  for (const target of plan.targets) if (target.settings) registerKubeconfig(target.settings, inputs.secret);
  for (const note of plan.notes) actionLog.info(redactor.redact(note));
  actionLog.info(redactor.redact(`kube-drift: ${plan.targets.length} target(s) of ${plan.config.file}`));
  const octokit = createOctokit(raw['github-token'] ?? '', {
    apiUrl: context.apiUrl,
    log: hooksFor(redactor)('github'),
    redactor,
  });
  const publishers = new Map<string, Publisher>();
  for (const target of plan.targets) {
    const settings: PublishSettings = target.settings
      ? { ...publishSettings(target.settings), comment: false }
      : fallbackPublishSettings(raw, target.name);
    const publisher = new Publisher(context, settings, {
      log: hooksFor(redactor)(target.name),
      redactor,
      octokit,
    });
    publishers.set(target.name, publisher);
    await publisher.begin();
  }
  const outcomes = await runFleet(plan.targets, {
    mode: 'diff',
    hooksFor: hooksFor(redactor),
    redactor,
    apply: (settings) => mayApply(settings, context, hooksFor(redactor)(settings.target)),
  });
  const reports = outcomes.map((o) => roundTrip(o.report, (text) => redactor.redact(text)));
  for (const [index, outcome] of outcomes.entries()) {
    const published = await publishers.get(outcome.target)!.finish(reports[index], {
      reportJsonPath: outcome.settings?.reportFile,
      remediated: outcome.remediated,
      failOnDrift: (outcome.settings?.failOnDrift ?? true) && outcome.status !== 0,
    });
    // One target (a matrix job): its URLs, as a run of one target without a config gives them.
    if (outcomes.length === 1 && published.issueUrl)
      setOutput('issue-url', redactor.redact(published.issueUrl));
    if (outcomes.length === 1 && published.checkRunUrl)
      setOutput('check-run-url', redactor.redact(published.checkRunUrl));
  }
  const files = outcomes.flatMap((o) => (o.settings?.reportFile ? [o.settings.reportFile] : []));
  setOutput('report-json', redactor.redact(files.join('\n')));
  await publishRollUp(context, raw, redactor, octokit, { reports, notes: plan.notes });
  return verdictOf(outcomes, (o) => o.settings?.failOnDrift ?? true, redactor);
}

async function summarizeAction(
  context: RunContext,
  inputs: ActionInputs,
  redactor: Redactor,
  configPath: string | undefined,
): Promise<FaceResult> {
  const raw = inputs.raw as Record<string, string>;
  const repoRoot = inputs.parseContext.repoRoot;
  const pattern = raw.summarize.trim();
  const files = globSync(pattern, { cwd: repoRoot })
    .map((file) => resolve(repoRoot, file))
    .sort();
  actionLog.info(redactor.redact(`kube-drift summarize: ${files.length} report(s) match ${pattern}`));
  const rollUp = await summarizeReports(files, repoRoot, {
    config: configPath,
    base: configPath ? context.pullRequest?.baseSha : undefined,
    select: selected(raw),
  });
  if (!configPath && rollUp.reports.length === 0)
    return { status: 2, failure: `kube-drift summarize: no JSON report matches ${pattern}` };
  for (const note of rollUp.notes) actionLog.info(redactor.redact(note));
  const octokit = createOctokit(raw['github-token'] ?? '', {
    apiUrl: context.apiUrl,
    log: hooksFor(redactor)('github'),
    redactor,
  });
  await publishRollUp(context, raw, redactor, octokit, rollUp);
  const outcomes = rollUp.reports.map((report) => ({
    target: report.target,
    report,
    status: statusOf(report),
  }));
  return verdictOf(outcomes, () => raw['fail-on-drift'] !== 'false', redactor);
}

/** The comment (on a pull request, unless comment is false), the job summary, the outputs. */
async function publishRollUp(
  context: RunContext,
  raw: Record<string, string>,
  redactor: Redactor,
  octokit: GitHubClient,
  rollUp: FleetRollUp & { missing?: string[] },
): Promise<void> {
  const posted = await postRollUp(
    context,
    {
      token: raw['github-token'] ?? '',
      comment: raw.comment !== 'false',
      checkRunsFor: raw['check-run'] === 'false' ? [] : (rollUp.missing ?? []),
      jobSummary: true,
    },
    { redactor, log: hooksFor(redactor)('github'), octokit },
    rollUp,
  );
  if (posted.commentUrl) setOutput('comment-url', redactor.redact(posted.commentUrl));
  setOutput('drift-detected', redactor.redact(String(rollUp.reports.some((r) => r.driftDetected))));
  for (const key of ['created', 'configured', 'unchanged', 'deleted', 'skipped', 'errors'] as const) {
    const total = rollUp.reports.reduce((sum, r) => sum + r.summary[key], 0);
    setOutput(key, redactor.redact(String(total)));
  }
}

/** A target the config could not make settings for still gets its check run. */
function fallbackPublishSettings(raw: Record<string, string>, target: string): PublishSettings {
  return basicPublishSettings(raw['github-token'] ?? '', target, {
    checkRun: raw['check-run'] !== 'false',
    failOnDrift: raw['fail-on-drift'] !== 'false',
  });
}

function statusOf(report: Report): 0 | 1 | 2 {
  return report.errors.length > 0 ? 2 : report.driftDetected || report.riskVerdict?.failed ? 1 : 0;
}

export type Verdicted = Pick<TargetOutcome, 'target' | 'report' | 'status'> &
  Partial<Pick<TargetOutcome, 'settings'>>;

/**
 * Errors always fail the step; drift fails it where fail-on-drift says so; a target whose risk
 * review failed (fail-on-risk) fails it whatever fail-on-drift says, as a run of one target does.
 */
export function verdictOf(
  outcomes: Verdicted[],
  failsOnDrift: (outcome: Verdicted) => boolean,
  redactor: Redactor,
): FaceResult {
  const status = worstStatus(outcomes);
  const failed = outcomes.filter((o) => o.status === 2).map((o) => o.target);
  const drifted = outcomes.filter((o) => o.status === 1 && failsOnDrift(o)).map((o) => o.target);
  if (failed.length > 0)
    return {
      status,
      failure: `kube-drift: errors in ${failed.length} target(s): ${failed.join(', ')}; see the report.`,
    };
  const risky = outcomes.filter((o) => o.status !== 2 && o.report.riskVerdict?.failed).map((o) => o.target);
  const reasons = [
    drifted.length > 0 ? `drift in ${drifted.length} target(s): ${drifted.join(', ')}` : '',
    risky.length > 0
      ? `risk review failed in ${risky.length} target(s): ${risky.join(', ')} (fail-on-risk)`
      : '',
  ].filter(Boolean);
  if (reasons.length > 0) return { status, failure: `kube-drift: ${reasons.join('; ')}.` };
  const passing = outcomes.some((o) => o.status === 1)
    ? 'drift found (not failing: fail-on-drift)'
    : 'in sync';
  actionLog.info(redactor.redact(`kube-drift: ${outcomes.length} target(s), ${passing}.`));
  return { status };
}
