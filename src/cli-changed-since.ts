// `kube-drift targets --changed-since REF`: which targets' inputs changed between REF and the work
// tree: the files their render reads (recorded by the confinement), their config entry, their files.
import { execFile } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';
import { limiter } from './concurrency.ts';
import { renderDesired } from './engine.ts';
import { describeError, InputError } from './errors.ts';
import { Redactor } from './redaction.ts';
import { type RecordedReads, recordingReads } from './render/confine.ts';
import { kustomizationFileIn } from './render/paths.ts';
import { toolEnvironment } from './render/tools.ts';
import { type ConfigTarget, type FleetConfig, loadConfig } from './settings/config-file.ts';

/** A target kept, and why: the first changed inputs found. */
export interface ChangedTarget {
  target: ConfigTarget;
  reasons: string[];
}

export interface ChangedTargets {
  /** The commit REF names. */
  sha: string;
  changed: ChangedTarget[];
  unchanged: ConfigTarget[];
}

/** Options that name files a target's run reads besides its render: ignore rules, keys, credentials. */
const FILE_OPTIONS = ['ignore-file', 'helm-values', 'sops-age-key-file', 'docker-config'];

/** Targets rendered at once. */
const TARGET_CONCURRENCY = 2;

/** How many changed files a reason names before "and N more". */
const REASON_FILES = 3;

function git(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(
      'git',
      args,
      { cwd, env: toolEnvironment(), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number')
          fail(new InputError(`git could not be run in ${cwd}: ${error.message}`, { cause: error }));
        else done({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

async function gitOk(cwd: string, args: string[]): Promise<string> {
  const run = await git(cwd, args);
  if (run.code !== 0)
    throw new InputError(
      `git ${args.join(' ')} failed in ${cwd}: ${run.stderr.trim() || `exit ${run.code}`}`,
    );
  return run.stdout;
}

/** The commit `ref` names, or an error that says how to fetch it. */
async function commitOf(repoRoot: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new InputError(`--changed-since "${ref}" is not a Git ref`);
  const run = await git(repoRoot, [
    'rev-parse',
    '--verify',
    '--quiet',
    '--end-of-options',
    `${ref}^{commit}`,
  ]);
  if (run.code === 0) return run.stdout.trim();
  const shallow = (await git(repoRoot, ['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
  throw new InputError(
    `--changed-since ${ref} is not a commit in the Git clone at ${repoRoot}${shallow ? ' (a shallow clone)' : ''}, so what changed since it cannot be told`,
    {
      hint: 'Fetch the history it needs: actions/checkout with `fetch-depth: 0`, or `git fetch origin <ref>` before this step.',
    },
  );
}

/** Files that differ between `sha` and the work tree (untracked files included), absolute. */
async function changedFiles(repoRoot: string, sha: string): Promise<{ top: string; files: string[] }> {
  const top = realpathSync((await gitOk(repoRoot, ['rev-parse', '--show-toplevel'])).trim());
  const names = (text: string) => text.split('\0').filter(Boolean);
  const tracked = names(await gitOk(top, ['diff', '--name-only', '-z', '--no-renames', sha, '--']));
  const untracked = names(
    await gitOk(top, ['ls-files', '--others', '--exclude-standard', '--full-name', '-z']),
  );
  return { top, files: [...new Set([...tracked, ...untracked])].sort().map((name) => resolve(top, name)) };
}

/** Files a directory walk picks up: manifests (a plain walk, Flux's generated kustomization) and kustomizations. */
const LISTED = /(\.(ya?ml|json)|^Kustomization)$/;

/**
 * Whether a changed file is one the render read: a file it read, a file inside a directory it
 * loaded whole (a Helm chart), or a manifest inside a directory it walked (a plain path, a Flux
 * spec.path without a kustomization): added and deleted files count there too. A directory
 * with a kustomization is not walked: kustomize reads only the files it names, each recorded.
 */
function readBy(reads: RecordedReads): (file: string) => boolean {
  const under = (dir: string, file: string) => file.startsWith(`${dir}${sep}`);
  const walked = [...reads.paths].filter((path) => isDirectory(path) && !kustomizationFileIn(path));
  return (file) =>
    reads.paths.has(file) ||
    [...reads.trees].some((tree) => under(tree, file)) ||
    (LISTED.test(basename(file)) && walked.some((dir) => under(dir, file)));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A tool's message on one line, cut where a log line would get unwieldy. */
function oneLine(text: string): string {
  const line = text.trim().replace(/\s*\n\s*/g, ' ');
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** The parts of a config entry that decide a run, comparable as text. */
function fingerprint(target: ConfigTarget): string {
  return JSON.stringify({ settings: target.settings, kubeconfig: target.kubeconfig ?? null });
}

function named(top: string, files: string[]): string {
  const shown = files.slice(0, REASON_FILES).map((file) => relative(top, file).split(sep).join('/'));
  const more = files.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** The targets of `config` whose inputs changed since `ref`, and those that did not. */
export async function changedTargets(
  repoRoot: string,
  config: FleetConfig,
  ref: string,
  configPath?: string,
): Promise<ChangedTargets> {
  const sha = await commitOf(repoRoot, ref);
  const { top, files } = await changedFiles(repoRoot, sha);
  let before: Map<string, string> | string;
  try {
    const old = await loadConfig(repoRoot, { path: configPath, ref: sha });
    before = new Map(old.targets.map((t) => [t.name, fingerprint(t)]));
  } catch (error) {
    before = `the config at ${ref} cannot be read (${describeError(error).split('\n')[0]})`;
  }
  // Two renders at once (each runs its tools two at a time): each records its own reads.
  const run = limiter(TARGET_CONCURRENCY);
  const reasons = await Promise.all(
    config.targets.map((target) => run(() => reasonsOf(target, repoRoot, top, files, before))),
  );
  const result: ChangedTargets = { sha, changed: [], unchanged: [] };
  config.targets.forEach((target, i) => {
    if (reasons[i].length > 0) result.changed.push({ target, reasons: reasons[i] });
    else result.unchanged.push(target);
  });
  return result;
}

async function reasonsOf(
  target: ConfigTarget,
  repoRoot: string,
  top: string,
  files: string[],
  before: Map<string, string> | string,
): Promise<string[]> {
  const reasons: string[] = [];
  const realRoot = realpathSync(repoRoot);
  if (typeof before === 'string') reasons.push(before);
  else if (!before.has(target.name)) reasons.push('the target is new in the config');
  else if (before.get(target.name) !== fingerprint(target)) reasons.push('its config entry changed');
  const namedFiles = FILE_OPTIONS.flatMap((option) => {
    const value = target.options[option];
    return (Array.isArray(value) ? value : value ? [value] : []).map((file) => resolve(realRoot, file));
  });
  const ownFiles = files.filter((file) => namedFiles.includes(file));
  if (ownFiles.length > 0) reasons.push(`files it names changed: ${named(top, ownFiles)}`);
  // Kept already: no need to render it to know.
  if (reasons.length > 0) return reasons;
  // Rendered as the render command renders (no cluster): every path the confinement allowed is recorded.
  const redactor = new Redactor();
  const recorded = await recordingReads(() => renderDesired(target.settings, redactor));
  const failure = recorded.error ?? recorded.result?.errors[0]?.message;
  if (failure !== undefined) {
    // Masked with what this render saw: an error may quote a value the CLI's own redactor never met.
    const why = redactor.redact(typeof failure === 'string' ? failure : describeError(failure));
    reasons.push(`it cannot be rendered here, so it is kept (${oneLine(why)})`);
  }
  const read = readBy(recorded);
  const rendered = files.filter(read);
  if (rendered.length > 0) reasons.push(`files its render reads changed: ${named(top, rendered)}`);
  return reasons;
}
