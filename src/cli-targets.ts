// `kube-drift targets`: the targets of kube-drift.yaml as text, or as a GitHub Actions matrix
// (`--json`) for a fan-out job; with --base REF the config is read from that commit.
import { parseArgs } from 'node:util';
import { type ChangedTargets, changedTargets } from './cli-changed-since.ts';
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
  `  ${'    --changed-since VALUE'.padEnd(34)} Keep only targets whose inputs changed since this Git ref: files their render reads, their config entry, their ignore file.`,
  `  ${'    --json'.padEnd(34)} Print a GitHub Actions matrix: {"include":[{"target":...}]}; with --changed-since, also "unchanged": [...].`,
  `  ${'-h, --help'.padEnd(34)} Show this help.`,
].join('\n');

/** The command's text for standard output (and a note for standard error), or undefined for help. */
export async function targetsCommand(
  args: string[],
  repoRoot: string,
): Promise<{ stdout: string; note?: string } | undefined> {
  let values: { config?: string; base?: string; 'changed-since'?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        base: { type: 'string' },
        'changed-since': { type: 'string' },
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
  let note = config.workTreeDiffers
    ? `note: the work tree's config differs from ${config.file}; the targets above are ${values.base}'s (a pull request does not choose its own targets or credentials)\n`
    : undefined;
  const since = values['changed-since'];
  if (since === undefined) {
    const stdout = values.json ? `${JSON.stringify(matrixOf(config))}\n` : targetsText(config);
    return { stdout, note };
  }
  const changes = await changedTargets(repoRoot, config, since, values.config);
  note = `${note ?? ''}${changes.changed.map((c) => `${c.target.name}: ${c.reasons.join('; ')}\n`).join('')}`;
  const stdout = values.json
    ? `${JSON.stringify(changedMatrixOf(changes))}\n`
    : changedText(config, changes, since);
  return { stdout, note: note || undefined };
}

/** The matrix of changed targets, the unchanged ones beside it (for their "no changes" check runs). */
export function changedMatrixOf(changes: ChangedTargets): {
  include: Record<string, unknown>[];
  unchanged: Record<string, unknown>[];
  since: string;
} {
  const entries = (targets: ConfigTarget[]) => matrixOf({ file: '', targets }).include;
  return {
    include: entries(changes.changed.map((c) => c.target)),
    unchanged: entries(changes.unchanged),
    since: changes.sha,
  };
}

function changedText(config: FleetConfig, changes: ChangedTargets, since: string): string {
  const kept = changes.changed.map((c) => c.target);
  const lines =
    kept.length > 0
      ? targetsText({ ...config, targets: kept })
          .split('\n')
          .slice(0, -2)
      : [];
  const unchanged = changes.unchanged.map((t) => t.name).join(', ');
  lines.push(
    `${kept.length} of ${config.targets.length} target${config.targets.length === 1 ? '' : 's'} in ${config.file} changed since ${since} (${changes.sha.slice(0, 12)})${unchanged ? `; unchanged: ${unchanged}` : ''}`,
  );
  return `${lines.join('\n')}\n`;
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
