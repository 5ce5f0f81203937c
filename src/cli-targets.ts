// `kube-drift targets`: the targets of kube-drift.yaml as text, or as a GitHub Actions matrix
// (`--json`) for a fan-out job; with --base REF the config is read from that commit.
import { parseArgs } from 'node:util';
import { InputError } from './errors.ts';
import { type ConfigTarget, type FleetConfig, loadConfig } from './settings/config-file.ts';

export const TARGETS_USAGE = [
  'Usage: kube-drift targets [flags]',
  '',
  'List the targets of kube-drift.yaml. Exit 0, or 2 when the config is missing or invalid.',
  '',
  'Flags:',
  `  ${'    --config VALUE'.padEnd(34)} Config file (default kube-drift.yaml at the repository root).`,
  `  ${'    --base VALUE'.padEnd(34)} Read the config at this Git ref (e.g. the pull request base), not from the work tree.`,
  `  ${'    --json'.padEnd(34)} Print a GitHub Actions matrix: {"include":[{"target":...}]}.`,
  `  ${'-h, --help'.padEnd(34)} Show this help.`,
].join('\n');

/** The command's text for standard output (and a note for standard error), or undefined for help. */
export async function targetsCommand(
  args: string[],
  repoRoot: string,
): Promise<{ stdout: string; note?: string } | undefined> {
  let values: { config?: string; base?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        base: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new InputError((error as Error).message.replace(/^.*?: /, ''), {
      hint: 'Run kube-drift targets --help.',
    });
  }
  if (values.help) return undefined;
  const config = await loadConfig(repoRoot, { path: values.config, ref: values.base });
  const stdout = values.json ? `${JSON.stringify(matrixOf(config))}\n` : targetsText(config);
  const note = config.workTreeDiffers
    ? `note: the work tree's config differs from ${config.file}; the targets above are ${values.base}'s (a pull request does not choose its own targets or credentials)\n`
    : undefined;
  return { stdout, note };
}

/** One matrix entry per target: what a job needs to name and run it, no credentials. */
export function matrixOf(config: FleetConfig): { include: Record<string, unknown>[] } {
  return {
    include: config.targets.map((t) => ({
      target: t.name,
      paths: t.settings.paths,
      source: t.settings.source,
      namespace: t.settings.namespace,
      remediate: t.settings.remediation.remediate,
    })),
  };
}

function kubeconfigText(target: ConfigTarget): string {
  const ref = target.kubeconfig;
  const where = !ref
    ? 'kubeconfig from the environment'
    : 'env' in ref
      ? `kubeconfig $${ref.env}`
      : `kubeconfig ${ref.file}`;
  return target.settings.kubeconfig.context
    ? `${where} (context ${target.settings.kubeconfig.context})`
    : where;
}

function targetsText(config: FleetConfig): string {
  const width = Math.max(...config.targets.map((t) => t.name.length));
  const lines = config.targets.map((t) => {
    const remediation = t.settings.remediation;
    const mode = remediation.remediate ? `remediate${remediation.prune ? ' +prune' : ''}` : 'diff';
    return `${t.name.padEnd(width)}  ${t.settings.paths.join(', ')}  [${t.settings.source}, namespace ${t.settings.namespace}, ${kubeconfigText(t)}, ${mode}]`;
  });
  return `${lines.join('\n')}\n${config.targets.length} target${config.targets.length === 1 ? '' : 's'} in ${config.file}\n`;
}
