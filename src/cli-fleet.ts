// The CLI's fleet commands: `kube-drift diff|apply --config kube-drift.yaml [--target a,b]` runs
// the config's targets in one process; `kube-drift summarize reports/*.json` rolls JSON reports up
// into the same Markdown one run with those targets prints, with no cluster access.
import { parseArgs } from 'node:util';
import type { EngineHooks } from './engine/hooks.ts';
import { InputError } from './errors.ts';
import { runFleet, worstStatus } from './fleet.ts';
import { readRunContext } from './github/context.ts';
import type { CliStreams } from './output/streams.ts';
import type { Redactor } from './redaction.ts';
import {
  FLEET_COMMENT_BUDGET,
  FLEET_FULL_REPORT_HINT,
  renderFleetMarkdown,
  roundTrip,
} from './report/fleet.ts';
import { renderJson } from './report/json.ts';
import type { Report } from './report/model.ts';
import { renderText } from './report/text.ts';
import { planFleet } from './settings/fleet.ts';
import type { RawOptions } from './settings/reader.ts';
import type { Command } from './settings.ts';
import { summarizeReports } from './summarize.ts';

export const SUMMARIZE_USAGE = [
  'Usage: kube-drift summarize [flags] REPORT.json...',
  '',
  'Roll JSON reports (one per target, from matrix jobs) up into one Markdown report, as one run with',
  'those targets prints it; no cluster is read. Exit 0 all in sync, 1 drift, 2 an error or a missing report.',
  '',
  'Flags:',
  `  ${'    --config VALUE'.padEnd(34)} Config file: its targets are expected, in its order; a missing report is that target's error.`,
  `  ${'    --target VALUE'.padEnd(34)} Expect only these targets of the config (comma-separated).`,
  `  ${'    --base VALUE'.padEnd(34)} Read the config at this Git ref (the pull request base).`,
  `  ${'-o, --output VALUE'.padEnd(34)} markdown (default) or json (the reports as one JSON list).`,
  `  ${'    --post'.padEnd(34)} In GitHub Actions: post the roll-up as the PR comment and job summary (GITHUB_TOKEN), and a failed check run per missing report; on a pull request the config is the base commit's.`,
  `  ${'-h, --help'.padEnd(34)} Show this help.`,
].join('\n');

/** diff or apply over the config's targets; the exit status is the worst target's. */
export async function fleetCommand(
  command: Command,
  raw: RawOptions,
  streams: CliStreams,
  redactor: Redactor,
): Promise<number> {
  const err = (text: string) => streams.stderr.write(redactor.redact(text));
  const select = raw.target === undefined ? [] : [raw.target].flat();
  const plan = await planFleet({
    command,
    raw,
    configPath: raw.config as string,
    ref: typeof raw.base === 'string' ? raw.base : undefined,
    select,
    context: { repoRoot: process.cwd(), isAction: false },
    secret: (value) => redactor.add(value),
  });
  for (const note of plan.notes) err(`note: ${note}\n`);
  const verbose = plan.targets.some((t) => t.settings?.verbose);
  const hooksFor = (target: string): EngineHooks => ({
    info: (message) => {
      if (verbose) err(`[${target}] ${message}\n`);
    },
    warning: (message) => err(`[${target}] warning: ${message}\n`),
  });
  const outcomes = await runFleet(plan.targets, {
    mode: command === 'apply' ? 'apply' : 'diff',
    hooksFor,
    redactor,
    apply: () => command === 'apply',
  });
  const reports = outcomes.map((o) => roundTrip(o.report, (text) => redactor.redact(text)));
  const output = plan.targets.find((t) => t.settings)?.settings?.output ?? (raw.output as string) ?? 'text';
  streams.stdout.write(redactor.redact(printReports(reports, output, plan.notes)));
  return worstStatus(outcomes);
}

function printReports(reports: Report[], output: string, notes: string[]): string {
  if (output === 'json')
    return reports.length === 1
      ? renderJson(reports[0])
      : `[\n${reports.map((r) => renderJson(r).trimEnd()).join(',\n')}\n]\n`;
  if (output === 'markdown')
    return renderFleetMarkdown(reports, {
      budgetBytes: FLEET_COMMENT_BUDGET,
      fullReportHint: FLEET_FULL_REPORT_HINT,
      notes,
    });
  return reports.map((r) => renderText(r, { color: false, verbose: false })).join('\n');
}

/** `kube-drift summarize`: undefined for --help. */
export async function summarizeCommand(
  args: string[],
  repoRoot: string,
  io: { redactor: Redactor; err: (text: string) => void },
): Promise<{ stdout: string; status: 0 | 1 | 2; note?: string } | undefined> {
  let parsed: ReturnType<typeof parseSummarizeArgs>;
  try {
    parsed = parseSummarizeArgs(args);
  } catch (error) {
    throw new InputError((error as Error).message.replace(/^.*?: /, ''), {
      hint: 'Run kube-drift summarize --help.',
    });
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  if (positionals.length === 0)
    throw new InputError('summarize needs the JSON reports to roll up', {
      hint: 'e.g. kube-drift summarize reports/*.json',
    });
  const output = values.output ?? 'markdown';
  if (output !== 'markdown' && output !== 'json')
    throw new InputError(`--output must be markdown or json, not "${output}"`);
  const context = values.post ? readRunContext() : undefined;
  const rollUp = await summarizeReports(positionals, repoRoot, {
    config: values.config,
    // Posting from a pull request run: the base's config says which targets are expected.
    base: values.base ?? context?.pullRequest?.baseSha,
    select: values.target ? [values.target] : [],
  });
  const status = worstStatus(rollUp.reports.map(reportStatus));
  const note = rollUp.notes.map((n) => `note: ${n}\n`).join('') || undefined;
  if (context) {
    const token = process.env.GITHUB_TOKEN ?? '';
    if (!token)
      throw new InputError('--post needs GITHUB_TOKEN', {
        hint: 'env: { GITHUB_TOKEN: ${{ github.token }} }',
      });
    io.redactor.add(token);
    const log = { info: (m: string) => io.err(`${m}\n`), warning: (m: string) => io.err(`warning: ${m}\n`) };
    // Octokit and its HTTP stack load only for --post: most CLI runs never talk to GitHub.
    const { postRollUp } = await import('./github/roll-up.ts');
    const posted = await postRollUp(
      context,
      { token, comment: true, checkRunsFor: rollUp.missing, jobSummary: !!process.env.GITHUB_STEP_SUMMARY },
      { redactor: io.redactor, log },
      rollUp,
    );
    return { stdout: posted.commentUrl ? `${posted.commentUrl}\n` : '', status, note };
  }
  return { stdout: printReports(rollUp.reports, output, rollUp.notes), status, note };
}

function parseSummarizeArgs(args: string[]) {
  return parseArgs({
    args,
    options: {
      config: { type: 'string' },
      target: { type: 'string' },
      base: { type: 'string' },
      output: { type: 'string', short: 'o' },
      post: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
}

/** As `kubectl diff`: 2 errors, 1 drift (or a risk review failed by fail-on-risk), 0 in sync. */
export function reportStatus(report: Report): { status: 0 | 1 | 2 } {
  if (report.errors.length > 0) return { status: 2 };
  return { status: report.driftDetected || report.riskVerdict?.failed ? 1 : 0 };
}
