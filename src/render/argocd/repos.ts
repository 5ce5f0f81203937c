// Which Git repositories are this checkout: URLs normalized as Argo CD compares them, the
// checkout's own remotes, and the `argocd-repos` mapping of other URLs to local directories.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { InputError } from '../../errors.ts';
import { confinementRoot } from '../confine.ts';

/**
 * A repository URL as Argo CD compares them (git.NormalizeGitURL): lower case, no scheme,
 * user, `.git` suffix or trailing slash; `git@host:org/repo` and `ssh://git@host/org/repo`
 * are the same as `https://host/org/repo`.
 */
export function normalizeRepoUrl(url: string): string {
  let text = url.trim().toLowerCase();
  const scp = /^([^@/:]+@)?([^/:]+):(?!\/\/)(.*)$/.exec(text);
  if (scp && !text.includes('://')) text = `${scp[2]}/${scp[3]}`;
  text = text.replace(/^[a-z+]+:\/\//, '').replace(/^[^@/]+@/, '');
  text = text
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  // A port on ssh URLs (host:22/org/repo) is not part of which repository it is.
  return text.replace(/^([^/]+):\d+\//, '$1/');
}

/** `url=dir` lines (dir relative to repoRoot) → normalized URL → absolute directory. */
export function parseRepoMapping(
  lines: readonly string[],
  repoRoot: string,
  label = 'argocd-repos',
): Map<string, string> {
  const mapping = new Map<string, string>();
  for (const line of lines) {
    const at = line.lastIndexOf('=');
    const url = line.slice(0, at).trim();
    const dir = line.slice(at + 1).trim();
    if (at <= 0 || !url || !dir)
      throw new InputError(
        `${label}: "${line.trim()}" must be url=directory, e.g. https://github.com/org/deploy.git=deploy`,
      );
    mapping.set(normalizeRepoUrl(url), resolve(repoRoot, dir));
  }
  return mapping;
}

/**
 * The checkout's own remotes (every remote's fetch URL), each standing for `root`: the Git
 * work tree of `checkout` by default (a base commit's files, which have no .git, name theirs).
 */
export function checkoutRepos(checkout: string, root = confinementRoot(checkout)): Map<string, string> {
  const repos = new Map<string, string>();
  let text = '';
  try {
    text = execFileSync('git', ['-C', confinementRoot(checkout), 'remote', '-v'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return repos; // Not a Git checkout, or no git: only the mapping names repositories.
  }
  for (const line of text.split('\n')) {
    const url = line.split(/\s+/)[1];
    if (url) repos.set(normalizeRepoUrl(url), root);
  }
  return repos;
}

/** The checkout's remotes (read in `remotesOf`, standing for `root`), then the mapping (which wins for the same URL). */
export function argoRepos(
  repoRoot: string,
  mapping: readonly string[],
  remotes: { of?: string; root?: string } = {},
): Map<string, string> {
  return new Map([
    ...checkoutRepos(remotes.of ?? repoRoot, remotes.root),
    ...parseRepoMapping(mapping, repoRoot),
  ]);
}
