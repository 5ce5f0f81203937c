// A cache directory of the user's own: the compile cache (node-guard.ts) and the OpenAPI cache
// (kube/openapi-cache.ts) hold what decides this process's code and comparisons, so a directory
// another user owns, or others may write to, is never used.
//
// node:fs is taken with process.getBuiltinModule, not imported: the guard (node-guard.ts) bundles
// this file, and an ES module import of node:fs builds a facade that reads each of its exports,
// its lazy streams too (3-6 ms of every start).

/**
 * `directory`, made 0700 when missing (with its parents only when `parents`); undefined unless
 * it is a directory the user owns and no one else may write. Windows has no uids: its per-user
 * directories are already the user's own.
 */
export function ownDirectory(directory: string, options: { parents?: boolean } = {}): string | undefined {
  const { lstatSync, mkdirSync } = process.getBuiltinModule('node:fs');
  try {
    mkdirSync(directory, { recursive: options.parents === true, mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    const stat = lstatSync(directory);
    const uid = process.getuid?.();
    if (!stat.isDirectory()) return undefined;
    if (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o022) !== 0)) return undefined;
    return directory;
  } catch {
    return undefined;
  }
}
