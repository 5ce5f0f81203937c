// Who owns a target: the repository that applies it (its normalized `origin` URL, or
// GITHUB_REPOSITORY in GitHub Actions) or an explicit `owner` setting, and its claim on the
// target as the inventory records it, so that two repositories that chose the same target
// name never prune each other. (Which objects a target owns: src/drift/ownership.ts.)

import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Inventory } from './inventory.ts';

export interface ResolvedOwner {
  owner: string;
  /** Where it came from, for messages: the owner setting, GITHUB_REPOSITORY, the origin remote, the directory. */
  from: 'setting' | 'GITHUB_REPOSITORY' | 'origin' | 'directory';
}

/**
 * A repository URL as one canonical `host/path`: https, ssh and scp-like forms are equal
 * (`https://github.com/o/r.git`, `git@github.com:o/r.git`, `ssh://git@github.com/o/r`
 * all give `github.com/o/r`). Credentials and ports are dropped, the host is lower-cased,
 * and so is the path on github.com, whose owner and repository names ignore case.
 * Undefined when the text is not a remote repository URL.
 */
export function normalizeRepositoryUrl(url: string): string | undefined {
  const text = url.trim();
  let host: string;
  let path: string;
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(text);
  if (withScheme) {
    const scheme = withScheme[1].toLowerCase();
    if (!['https', 'http', 'ssh', 'git', 'git+ssh', 'ssh+git'].includes(scheme)) return undefined;
    const rest = withScheme[2];
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    host = rest.slice(0, slash);
    path = rest.slice(slash + 1);
  } else {
    // scp-like: [user@]host:path, where the host holds no slash.
    const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(text);
    if (!scp) return undefined;
    host = scp[1];
    path = scp[2];
  }
  host = host
    .replace(/^.*@/, '')
    .replace(/:\d*$/, '')
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  path = path
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/^~?\/+/, '');
  if (!host || !path || path.split('/').some((part) => part === '' || part === '..')) return undefined;
  if (host === 'github.com' || host === 'www.github.com') return `github.com/${path.toLowerCase()}`;
  return `${host}/${path}`;
}

/** GITHUB_REPOSITORY (`owner/repo`) on GITHUB_SERVER_URL's host, as normalizeRepositoryUrl spells it. */
export function githubRepositoryOwner(env: NodeJS.ProcessEnv): string | undefined {
  const repository = env.GITHUB_REPOSITORY?.trim();
  if (!repository || !/^[^/\s]+\/[^/\s]+$/.test(repository)) return undefined;
  return normalizeRepositoryUrl(`${env.GITHUB_SERVER_URL?.trim() || 'https://github.com'}/${repository}`);
}

/** An explicit owner: a repository URL is normalized; any other name is kept as written. */
export function normalizeOwnerSetting(value: string): string {
  return normalizeRepositoryUrl(value) ?? value.trim();
}

/**
 * The owner of this run's targets: the explicit setting; in GitHub Actions the repository
 * it runs for; else the `origin` remote of the Git repository holding repoRoot; else the
 * directory itself on this machine (a checkout without a remote owns what it applied alone).
 */
export async function resolveOwner(
  explicit: string | undefined,
  repoRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedOwner> {
  if (explicit?.trim()) return { owner: normalizeOwnerSetting(explicit), from: 'setting' };
  const github = env.GITHUB_ACTIONS === 'true' ? githubRepositoryOwner(env) : undefined;
  if (github) return { owner: github, from: 'GITHUB_REPOSITORY' };
  const origin = await gitOutput(repoRoot, ['remote', 'get-url', 'origin']);
  const normalized = origin ? normalizeRepositoryUrl(origin) : undefined;
  if (normalized) return { owner: normalized, from: 'origin' };
  const toplevel = (await gitOutput(repoRoot, ['rev-parse', '--show-toplevel'])) ?? resolve(repoRoot);
  return { owner: `local:${hostname()}:${toplevel}`, from: 'directory' };
}

/** Whether an owner may apply a target, by what its inventory records. */
export type Claim =
  | { kind: 'new' }
  | { kind: 'own' }
  /** Written before owners were recorded: the next apply claims it, and says so. */
  | { kind: 'unowned' }
  | { kind: 'foreign'; owner: string };

export function claimOf(inventory: Inventory, owner: string): Claim {
  if (!inventory.found) return { kind: 'new' };
  if (inventory.owner === undefined) return { kind: 'unowned' };
  return inventory.owner === owner ? { kind: 'own' } : { kind: 'foreign', owner: inventory.owner };
}

/** The refusal when another owner holds the target: names both, and what to do. */
export function foreignOwnerMessage(target: string, theirs: string, ours: string): string {
  return `target ${target} belongs to ${theirs} (its inventory says so), not to ${ours}; nothing was applied or pruned. Two repositories must not share a target name: give this one its own target, or set owner to ${theirs} if it took over that repository's role.`;
}

/** The report's note when an inventory written before owners were recorded is claimed. */
export function claimNote(target: string, owner: string, dryRun = false): string {
  return `the inventory of target ${target} recorded no owner (written by an older kube-drift); ${owner} ${dryRun ? 'would claim it (dry run)' : 'claimed it'}`;
}
/** git's trimmed output, or undefined when git fails or is missing. */
function gitOutput(cwd: string, args: string[]): Promise<string | undefined> {
  // Only what git needs to find its configuration: never the run's credentials.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return new Promise((done) => {
    execFile('git', args, { cwd, env }, (error, stdout) =>
      done(error ? undefined : stdout.trim() || undefined),
    );
  });
}
