// The CLI face of the engine: kube-drift diff | apply | render | targets | summarize. It parses flags, runs the flow
// (src/flow.ts) and prints; everything printed passes through the run's one Redactor into
// src/output/streams.ts.
import { parseArgs } from 'node:util';
import { fleetCommand, SUMMARIZE_USAGE, summarizeCommand } from './cli-fleet.ts';
import { TARGETS_USAGE, targetsCommand } from './cli-targets.ts';
import { maskSecrets } from './drift/mask.ts';
import { type EngineHooks, renderDesired } from './engine.ts';
import { describeError, InputError } from './errors.ts';
import { runFlow } from './flow.ts';
import { manifestYaml } from './output/manifest-yaml.ts';
import { type CliStreams, processStreams, streamsOf } from './output/streams.ts';
import { Redactor } from './redaction.ts';
import { renderJson } from './report/json.ts';
import { renderMarkdown } from './report/markdown.ts';
import type { Report } from './report/model.ts';
import { riskFailure } from './report/risk-verdict.ts';
import { renderText } from './report/text.ts';
import { type Command, OPTIONS, parseSettings, type RawOptions, type Settings } from './settings.ts';
import { VERSION } from './version.ts';

const COMMANDS: Record<Command, string> = {
  diff: 'Compare the rendered manifests with the cluster. Exit 0 in sync, 1 drift, 2 error.',
  apply:
    'Converge the cluster to Git (server-side apply; --prune deletes what left Git). Exit 0 done, 1 drift or health failures remain, 2 error.',
  render: 'Print the rendered objects as YAML, with their source file and line (Secret values masked).',
};

export function usage(command?: Command): string {
  const lines = [`kube-drift ${VERSION}: keep Kubernetes clusters honest against Git`, ''];
  if (!command) {
    lines.push('Usage: kube-drift <command> [flags]', '', 'Commands:');
    for (const [name, text] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${text}`);
    lines.push(
      `  ${'targets'.padEnd(8)} List the targets of kube-drift.yaml (--json: a GitHub Actions matrix).`,
      `  ${'summarize'.padEnd(8)} Roll the JSON reports of several targets up into one report (no cluster access).`,
    );
    lines.push('', 'Run kube-drift <command> --help for its flags.');
    return lines.join('\n');
  }
  lines.push(`Usage: kube-drift ${command} [flags]`, '', COMMANDS[command], '', 'Flags:');
  for (const option of cliOptions(command)) {
    const flag = `${option.alias ? `-${option.alias}, ` : '    '}--${option.name}${option.kind === 'boolean' ? '' : ' VALUE'}`;
    const extra = [
      option.choices ? `one of ${option.choices.join('|')}` : '',
      option.default ? `default ${option.default}` : '',
      option.kind === 'boolean' && option.default === 'true' ? `--no-${option.name} turns it off` : '',
      option.repeat ? 'repeatable' : '',
    ]
      .filter(Boolean)
      .join('; ');
    lines.push(`  ${flag.padEnd(34)} ${option.description}${extra ? ` (${extra})` : ''}`);
  }
  lines.push(`  ${'-h, --help'.padEnd(34)} Show this help.`);
  return lines.join('\n');
}

const DIFF_ONLY = new Set([
  'remediate',
  'prune',
  'wait',
  'timeout',
  'force',
  'dry-run',
  'allowed-refs',
  'max-deletions',
  'suspend',
  'skip-unhealthy',
]);

function cliOptions(command: Command) {
  return OPTIONS.filter((o) => o.scope !== 'action' && o.name !== 'remediate').filter((o) => {
    if (command === 'render')
      return [
        'path',
        'source',
        'namespace',
        'helm-release-name',
        'helm-namespace',
        'helm-values',
        'helm-set',
        'chart-credentials',
        'docker-config',
        'argocd-repos',
        'argocd-clusters',
      ].includes(o.name);
    if (command === 'diff') return !DIFF_ONLY.has(o.name);
    return true;
  });
}

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** `io` replaces the process's streams (tests pass buffers). */
export async function main(argv: string[], io?: CliIO): Promise<number> {
  const streams = io ? streamsOf(io.stdout, io.stderr) : processStreams();
  // One Redactor for the run: whatever is printed, before or after an error, goes through it.
  const redactor = new Redactor();
  const out = (text: string) => streams.stdout.write(redactor.redact(text));
  const err = (text: string) => streams.stderr.write(redactor.redact(text));
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(`${usage()}\n`);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === 'version') {
    out(`${VERSION}\n`);
    return 0;
  }
  if (command === 'targets') return targets(rest, out, err);
  if (command === 'summarize') return summarize(rest, out, err, redactor);
  if (!(command in COMMANDS)) {
    err(`kube-drift: unknown command "${command}"\n\n${usage()}\n`);
    return 2;
  }
  const cmd = command as Command;
  try {
    const raw = parseFlags(cmd, rest);
    if (!raw) {
      out(`${usage(cmd)}\n`);
      return 0;
    }
    // A config file: every target in it (or those --target names), in one process.
    if (raw.config !== undefined && cmd !== 'render') return await fleetCommand(cmd, raw, streams, redactor);
    const settings = parseSettings(cmd, raw, { repoRoot: process.cwd(), isAction: false });
    return await runCommand(settings, streams, redactor);
  } catch (error) {
    err(`kube-drift: ${describeError(error)}\n`);
    return 2;
  }
}

async function targets(
  args: string[],
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  try {
    const result = await targetsCommand(args, process.cwd());
    out(result?.stdout ?? `${TARGETS_USAGE}\n`);
    if (result?.note) err(result.note);
    return 0;
  } catch (error) {
    err(`kube-drift: ${describeError(error)}\n`);
    return 2;
  }
}

async function summarize(
  args: string[],
  out: (text: string) => void,
  err: (text: string) => void,
  redactor: Redactor,
): Promise<number> {
  try {
    const result = await summarizeCommand(args, process.cwd(), { redactor, err });
    out(result?.stdout ?? `${SUMMARIZE_USAGE}\n`);
    if (result?.note) err(result.note);
    return result?.status ?? 0;
  } catch (error) {
    err(`kube-drift: ${describeError(error)}\n`);
    return 2;
  }
}

/** The flags as raw option values; undefined for --help. */
function parseFlags(command: Command, args: string[]): RawOptions | undefined {
  const allowed = cliOptions(command);
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const o of allowed) {
    options[o.name] = { type: o.kind === 'boolean' ? 'boolean' : 'string', multiple: o.repeat === true };
    if (o.alias) options[o.name].short = o.alias;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    // allowNegative: a flag on by default (--risk-review) is turned off with --no-risk-review.
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true, allowNegative: true });
  } catch (error) {
    throw new InputError((error as Error).message.replace(/^.*?: /, ''), {
      hint: `Run kube-drift ${command} --help.`,
    });
  }
  if (parsed.values.help) return undefined;
  const raw: Record<string, string | string[] | undefined> = {};
  for (const [key, value] of Object.entries(parsed.values)) {
    raw[key] = typeof value === 'boolean' ? String(value) : (value as string | string[] | undefined);
  }
  // Paths may also be given as positionals: kube-drift diff apps/ infra/
  if (parsed.positionals.length > 0)
    raw.path = [...((raw.path as string[] | undefined) ?? []), ...parsed.positionals];
  return raw;
}

async function runCommand(settings: Settings, streams: CliStreams, redactor: Redactor): Promise<number> {
  const out = (text: string) => streams.stdout.write(redactor.redact(text));
  const err = (text: string) => streams.stderr.write(redactor.redact(text));
  const hooks: EngineHooks = {
    info: (message) => {
      if (settings.verbose) err(`${message}\n`);
    },
    warning: (message) => err(`warning: ${message}\n`),
    progress: streams.stderrIsTTY
      ? (done, total) => {
          if (done === total || done % 25 === 0)
            err(`\r${done}/${total} objects compared${done === total ? '\n' : ''}`);
        }
      : undefined,
    // The benchmark (bench/run.ts) and fault tests count requests with this; off unless asked for.
    stats: process.env.KUBE_DRIFT_STATS
      ? (stats) => err(`kube-drift stats: ${JSON.stringify(stats)}\n`)
      : undefined,
  };

  if (settings.command === 'render') {
    for (const credential of settings.chartCredentials) redactor.add(credential.password);
    const desired = await renderDesired(settings, redactor);
    for (const warning of desired.warnings) hooks.warning(warning);
    for (const error of desired.errors) err(`error: ${error.message}\n`);
    // Secret values are printed masked here too: render output ends up in logs. One object at a
    // time, so the whole output (megabytes of CRDs) is never one string; each is redacted whole,
    // and a value that would span two objects would be kube-drift's own `# Source:` line. Each
    // waits for stdout to take the one before: else every object's text is held until the end.
    for (const [i, d] of desired.objects.entries()) {
      out(
        `${i > 0 ? '---\n' : ''}# Source: ${d.source.file}:${d.source.line}\n${manifestYaml(maskSecrets(null, d.object).predicted)}`,
      );
      await streams.stdoutDrained();
    }
    return desired.errors.length > 0 ? 2 : 0;
  }

  const outcome = await runFlow(settings, hooks, redactor, { apply: settings.command === 'apply' });
  out(formatReport(outcome.report, settings));
  // The text report says it at its top; JSON and Markdown on stdout may go to a file.
  const risk = riskFailure(outcome.report);
  if (risk && settings.output !== 'text') err(`kube-drift: risk review ${risk}\n`);
  return outcome.status;
}

function formatReport(report: Report, settings: Settings): string {
  switch (settings.output) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report, { budgetBytes: Number.MAX_SAFE_INTEGER });
    default:
      return renderText(report, { color: settings.color, verbose: settings.verbose });
  }
}
