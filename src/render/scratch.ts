// Private scratch directories for tools' inputs (a copy of the repository, values files): mode 0700, removed when the run ends.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScratchDir {
  path: string;
  remove(): Promise<void>;
}

const open = new Set<string>();
let exitHookInstalled = false;

// A run that ends early (an uncaught error, process.exit) still leaves nothing behind.
function removeAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const path of open) rmSync(path, { recursive: true, force: true });
  });
}

/**
 * A new directory only this user can enter, under the runner's per-job temporary directory
 * when there is one. Remove it with `remove()`; whatever is left is removed at exit.
 */
export function scratchDir(prefix: string, env: NodeJS.ProcessEnv = process.env): ScratchDir {
  const path = mkdtempSync(join(env.RUNNER_TEMP || tmpdir(), `kube-drift-${prefix}-`));
  // mkdtemp already creates 0700 on POSIX; say so explicitly rather than rely on it.
  chmodSync(path, 0o700);
  open.add(path);
  removeAllOnExit();
  return {
    path,
    remove: async () => {
      open.delete(path);
      await rm(path, { recursive: true, force: true });
    },
  };
}
