// The targets of a fleet run as Settings: kube-drift.yaml's entries (read from the base commit on
// untrusted runs) over the run's own flags or inputs, each target's kubeconfig resolved, and a
// target that cannot run (its variable unset, its file refused) kept as that target's error.
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import type { Command, Settings } from '../settings.ts';
import { type ConfigTarget, type FleetConfig, type KubeconfigRef, loadConfig } from './config-file.ts';
import { type ParseContext, parseSettings } from './parse.ts';
import type { RawOptions } from './reader.ts';

/** One target of the run: its settings, and why it cannot run when it cannot. */
export interface FleetTarget {
  name: string;
  settings?: Settings;
  /** Set: the target is not run; its report holds this error. */
  error?: string;
}

export interface FleetPlan {
  config: FleetConfig;
  targets: FleetTarget[];
  /** Remarks for the roll-up (the base commit's config was used). */
  notes: string[];
}

export interface FleetRequest {
  command: Command;
  /** The run's own flags or inputs: what the config does not set. */
  raw: RawOptions;
  /** The config file; default kube-drift.yaml at the repository root. */
  configPath?: string;
  /** Read the config at this commit (the pull request's base on untrusted runs). */
  ref?: string;
  /** Target names to run; empty: all. */
  select: string[];
  context: ParseContext;
  env?: NodeJS.ProcessEnv;
  /** Told every kubeconfig read from the environment, so it is masked before anything is printed. */
  secret?: (value: string) => void;
}

/** Options of the run that never pass to a target: the config names targets and their paths. */
const RUN_ONLY = new Set(['target', 'path', 'config', 'summarize']);

export async function planFleet(request: FleetRequest): Promise<FleetPlan> {
  const repoRoot = resolve(request.context.repoRoot);
  const config = await loadConfig(repoRoot, { path: request.configPath, ref: request.ref });
  const chosen = selectTargets(config, request.select);
  const reportFile = request.raw['report-file'];
  if (
    typeof reportFile === 'string' &&
    reportFile.trim() &&
    chosen.length > 1 &&
    !reportFile.includes('{target}')
  )
    throw new InputError(`report-file ${reportFile} would be written by ${chosen.length} targets`, {
      hint: 'Put {target} in the file name (reports/{target}.json), or run one target.',
    });
  const notes = configNotes(config);
  const targets = chosen.map((target) => planTarget(target, config, request));
  return { config, targets, notes };
}

/** What the roll-up says of the config itself: that a pull request's change to it was not used. */
export function configNotes(config: FleetConfig): string[] {
  if (!config.workTreeDiffers) return [];
  return [
    `This pull request changes ${config.file.replace(/@[^@]*$/, '')}; the base commit's config was used (a pull request does not choose its own targets or credentials). The change takes effect once merged.`,
  ];
}

function selectTargets(config: FleetConfig, select: string[]): ConfigTarget[] {
  const names = select
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) return config.targets;
  const unknown = names.filter((name) => !config.targets.some((t) => t.name === name));
  if (unknown.length > 0)
    throw new InputError(`${config.file} has no target ${unknown.join(', ')}`, {
      hint: `Its targets: ${config.targets.map((t) => t.name).join(', ')}.`,
    });
  return config.targets.filter((t) => names.includes(t.name));
}

/** The target's settings; a target that cannot run keeps them when it has them (for its report file). */
function planTarget(target: ConfigTarget, config: FleetConfig, request: FleetRequest): FleetTarget {
  const raw: RawOptions = {};
  for (const [name, value] of Object.entries(request.raw)) if (!RUN_ONLY.has(name)) raw[name] = value;
  Object.assign(raw, target.options);
  if (typeof raw['report-file'] === 'string')
    raw['report-file'] = raw['report-file'].replaceAll('{target}', target.name);
  let settings: Settings;
  try {
    settings = parseSettings(request.command, raw, {
      ...request.context,
      label: (option) => `${config.file}: target ${target.name} (${option})`,
    });
    if (!target.kubeconfig) return { name: target.name, settings };
  } catch (error) {
    return { name: target.name, error: inputError(error) };
  }
  try {
    const kubeconfig = resolveKubeconfig(target.kubeconfig, target, config, settings, request);
    return {
      name: target.name,
      settings: Object.freeze({
        ...settings,
        kubeconfig: Object.freeze({ ...kubeconfig, context: settings.kubeconfig.context }),
      }),
    };
  } catch (error) {
    return { name: target.name, settings, error: inputError(error) };
  }
}

function inputError(error: unknown): string {
  if (!(error instanceof InputError)) throw error;
  return error.hint ? `${error.message}\n  ${error.hint}` : error.message;
}

function resolveKubeconfig(
  ref: KubeconfigRef,
  target: ConfigTarget,
  config: FleetConfig,
  settings: Settings,
  request: FleetRequest,
): { inline?: string; path?: string } {
  const where = `${config.file}: target ${target.name}`;
  if ('env' in ref) {
    const value = (request.env ?? process.env)[ref.env];
    if (!value?.trim())
      throw new InputError(`${where}: kubeconfig { env: ${ref.env} }: the variable ${ref.env} is not set`, {
        hint: `Set ${ref.env} to the kubeconfig's content in the job's env (from a secret).`,
      });
    request.secret?.(value);
    return { inline: value };
  }
  const path = isAbsolute(ref.file) ? ref.file : resolve(settings.repoRoot, ref.file);
  if (!settings.trusted && insideCheckout(path, settings.repoRoot))
    throw new InputError(
      `${where}: kubeconfig { file: ${ref.file} } is refused on an untrusted run: the file is inside the checkout, which the pull request wrote`,
      {
        hint: 'Give the kubeconfig through { env: VARIABLE } from a secret, or a file outside the workspace.',
      },
    );
  return { path };
}

/** Whether `path` (symlinks followed where they exist) lies inside the repository's checkout. */
function insideCheckout(path: string, repoRoot: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  const inside = (p: string, root: string) => {
    const rel = relative(root, p);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  return inside(resolve(path), resolve(repoRoot)) || inside(real(path), real(repoRoot));
}
