// Keeps rendering inside the repository: every path a renderer or its tools read must resolve, symlinks followed, under the root and never under .git.
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** The directory rendering is confined to, and how paths in it are named in messages. */
export interface Confinement {
  /** Absolute, as given. */
  root: string;
  /** The root with symlinks resolved. */
  realRoot: string;
  /** A path as the user knows it (relative to the repository, `/` separators). */
  name(path: string): string;
  /** Where a symlink really leads, as the user's checkout would resolve it (the root may be a copy). */
  target(real: string): string;
  /** The directory `root` is a copy of (Flux renders in a copy), if it is one. */
  copyOf?: string;
}

/** A file reference that would take a render outside the repository. */
export interface Violation {
  /** The file that holds the reference (named for the user). */
  file: string;
  /** Where in that file: `resources`, `configMapGenerator[0].files`, a symlink's name... */
  field: string;
  /** The reference as written. */
  path: string;
  reason: string;
}

/** `copyOf`: the directory `root` is a copy of, so that symlink targets are shown as they are there. */
export function confinement(root: string, name?: (path: string) => string, copyOf?: string): Confinement {
  const absolute = resolve(root);
  const realRoot = realpathSync(absolute);
  return {
    root: absolute,
    realRoot,
    name: name ?? ((path) => relative(absolute, path).split(sep).join('/') || '.'),
    target: (real) => (copyOf ? resolve(copyOf, relative(realRoot, real)) : real),
    copyOf,
  };
}

/**
 * The root a render of `repoRoot` is confined to: the Git work tree that holds it (so a
 * kustomization may reach `../shared` when kube-drift runs from a subdirectory), else
 * `repoRoot` itself.
 */
export function confinementRoot(repoRoot: string): string {
  for (let dir = resolve(repoRoot); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return resolve(repoRoot);
  }
}

/** `path` relative to `root` when it lies inside it, else undefined. */
function inside(root: string, path: string): string | undefined {
  const rel = relative(root, path);
  if (rel === '') return rel;
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel;
}

/**
 * The real path of `path`. For a path that does not exist, that of its nearest existing
 * ancestor plus the rest; a dangling symlink is followed to where it points, since writing
 * through it would create that file.
 */
function realPathOf(path: string, hops = 0): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    if (parent === path) return path;
    const base = join(realPathOf(parent, hops), basename(path));
    if (hops < 40 && lstatSync(base, { throwIfNoEntry: false })?.isSymbolicLink())
      return realPathOf(resolve(dirname(base), readlinkSync(base)), hops + 1);
    return base;
  }
}

const GIT_DIR = '.git';

/**
 * True when `path`, as written, lies inside the root. Paths the operator names (settings,
 * flags) may lie elsewhere on purpose; only one written inside is for a pull request to
 * redirect, with a symlink, and must resolve inside.
 */
export function writtenInside(c: Confinement, path: string): boolean {
  const absolute = resolve(path);
  return (inside(c.root, absolute) ?? inside(c.realRoot, absolute)) !== undefined;
}

/**
 * Why `path` may not be read, or undefined when it stays inside the root. Judged on the
 * path as written (cleaned, as kustomize and Helm clean it) and on its real path.
 */
export function escapes(c: Confinement, path: string): string | undefined {
  const absolute = resolve(path);
  const written = inside(c.root, absolute) ?? inside(c.realRoot, absolute);
  if (written === undefined) return 'is outside the repository';
  if (written.split(sep).includes(GIT_DIR)) return 'is inside .git';
  const real = realPathOf(absolute);
  const resolved = inside(c.realRoot, real);
  const shown = c.target(real);
  if (resolved === undefined) return `resolves through a symlink to ${shown}, outside the repository`;
  if (resolved.split(sep).includes(GIT_DIR)) return `resolves through a symlink to ${shown}, inside .git`;
  record(c, [written, resolved], 'paths');
  return undefined;
}

/** What a render was allowed to read, as absolute paths in the user's checkout. */
export interface RecordedReads {
  /** Files and directories, each allowed on its own. */
  paths: Set<string>;
  /** Directories loaded whole (Helm charts, kustomize's chart and config homes). */
  trees: Set<string>;
}

const reads = new AsyncLocalStorage<RecordedReads>();

/** Records paths relative to the root as the user's checkout names them (the root may be a copy). */
function record(c: Confinement, relatives: string[], kind: keyof RecordedReads): void {
  const recorder = reads.getStore();
  if (!recorder) return;
  const base = c.copyOf ? realPathOf(c.copyOf) : c.realRoot;
  for (const rel of relatives) recorder[kind].add(resolve(base, rel));
}

/**
 * Runs `task` and collects every path the confinement let it read: what
 * `targets --changed-since` compares with Git. Recordings running at once stay apart.
 */
export async function recordingReads<T>(
  task: () => Promise<T>,
): Promise<RecordedReads & { result?: T; error?: unknown }> {
  const recorded: RecordedReads = { paths: new Set(), trees: new Set() };
  try {
    return { result: await reads.run(recorded, task), ...recorded };
  } catch (error) {
    return { error, ...recorded };
  }
}

/** Problem text for a violation, with what to do about it. */
export function describeViolation(violation: Violation): string {
  return `${violation.field} '${violation.path}' ${violation.reason}: kube-drift renders only files inside the repository (never under .git), so nothing of this target was rendered. Move the file into the repository or reference it by a path inside it.`;
}

/**
 * Symlinks in a directory tree (a Helm chart, which Helm loads whole, following links) that
 * lead outside the root. Linked directories inside the root are walked too, once each.
 */
export function treeViolations(c: Confinement, dir: string, file: string): Violation[] {
  const violations: Violation[] = [];
  const seen = new Set<string>();
  const walk = (current: string) => {
    const real = realPathOf(current);
    if (seen.has(real)) return;
    seen.add(real);
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      const link = lstatSync(path).isSymbolicLink();
      const reason = link ? escapes(c, path) : undefined;
      if (reason) {
        violations.push({ file, field: 'symlink', path: c.name(path), reason });
        continue;
      }
      if (isDirectory(path)) walk(path);
    }
  };
  const reason = escapes(c, dir);
  if (reason) return [{ file, field: 'directory', path: c.name(dir), reason }];
  const absolute = resolve(dir);
  const written = inside(c.root, absolute) ?? inside(c.realRoot, absolute);
  const resolved = inside(c.realRoot, realPathOf(absolute));
  record(
    c,
    [written, resolved].filter((rel): rel is string => rel !== undefined),
    'trees',
  );
  if (isDirectory(dir)) walk(dir);
  return violations;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
