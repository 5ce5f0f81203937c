// An Application pinned to a `targetRevision` of this repository other than the checkout's:
// its source is read from that commit's files (materialised as three-way previews materialise
// the base), or skipped when the clone does not hold it. `HEAD`, empty, the current branch
// and the pull request's branches (GITHUB_HEAD_REF, and GITHUB_BASE_REF, which the change
// merges into) mean the checkout.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { confinementRoot } from '../confine.ts';
import { type BaseCheckout, checkoutBase, resolveCommit } from '../git-base.ts';
import type { ApplicationSource } from './types.ts';

export interface Located {
  repo: string;
  dir: string;
  path: string;
  /** Set when the files are another revision's: the repository directory in the checkout they stand for. */
  checkoutRepo?: string;
}

/** Materialised commits, by SHA, removed when the run ends. */
export type RevisionTrees = Map<string, Promise<BaseCheckout>>;

function gitText(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The names that mean "what is checked out": the current branch and the pull request's. */
function checkoutNames(top: string): Set<string> {
  const names = new Set(['', 'HEAD']);
  const branch = gitText(top, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  if (branch) names.add(branch);
  for (const ref of [process.env.GITHUB_HEAD_REF, process.env.GITHUB_BASE_REF]) if (ref) names.add(ref);
  return names;
}

/** The commit a revision names in the clone: itself (branch, tag, SHA), else the remote-tracking branch. */
async function commitOf(top: string, revision: string): Promise<string | undefined> {
  for (const ref of [revision, `origin/${revision}`, `refs/tags/${revision}`]) {
    try {
      return await resolveCommit(top, ref);
    } catch {
      // next
    }
  }
  return undefined;
}

/**
 * Where the source is read at its targetRevision: `where` itself when that is the checkout,
 * the same path in the commit's files otherwise, or why it cannot be rendered.
 */
export async function atRevision(
  source: ApplicationSource,
  where: Located,
  trees: RevisionTrees,
  clone?: { of: string; root: string },
): Promise<Located | { skip: string }> {
  const revision = (source.targetRevision ?? '').trim();
  if (revision === '' || revision === 'HEAD') return where;
  // The Git clone, and the directory that stands for its top (itself, or a base commit's files).
  let top = confinementRoot(where.repo);
  let standsFor = top;
  if (!existsSync(join(top, '.git')) && clone && !relative(clone.root, where.repo).startsWith('..')) {
    top = confinementRoot(clone.of);
    standsFor = clone.root;
  }
  if (!existsSync(join(top, '.git')))
    return { skip: `its targetRevision ${revision} cannot be read: ${where.repo} is not a Git clone` };
  if (checkoutNames(top).has(revision)) return where;
  const sha = await commitOf(top, revision);
  if (!sha)
    return {
      skip: `its targetRevision ${revision} is not in the Git clone (fetch it, e.g. actions/checkout with fetch-depth: 0)`,
    };
  if (standsFor === top && sha === gitText(top, ['rev-parse', 'HEAD'])) return where;
  let tree = trees.get(sha);
  if (!tree) {
    tree = checkoutBase(top, sha);
    trees.set(sha, tree);
  }
  const { dir } = await tree;
  const repo = join(dir, relative(standsFor, where.repo));
  return { repo, dir: join(repo, where.path), path: where.path, checkoutRepo: where.repo };
}

/** Removes the commits' files. */
export async function removeTrees(trees: RevisionTrees): Promise<void> {
  for (const tree of trees.values()) await (await tree.catch(() => undefined))?.cleanup();
}

/** Files of another revision named as the same files of the checkout, so reports point into the repository. */
export function relocateFiles<
  T extends { objects: { source: { file: string } }[]; problems: { file: string }[] },
>(parsed: T, where: Located, repoRoot: string): T {
  const { checkoutRepo } = where;
  if (!checkoutRepo) return parsed;
  const rename = (file: string) => {
    const rel = relative(where.repo, join(repoRoot, file));
    if (rel.startsWith('..')) return file;
    return relative(repoRoot, join(checkoutRepo, rel)).split('\\').join('/');
  };
  for (const d of parsed.objects) d.source = { ...d.source, file: rename(d.source.file) };
  for (const p of parsed.problems) p.file = rename(p.file);
  return parsed;
}
