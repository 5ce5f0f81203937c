// The bundles the e2e tests run: built from src/ into a temporary directory once per test
// process, as tools/bundle.mjs builds dist/, so a test proves what src/ does now rather than
// what the last committed dist/ did.

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/cluster.ts';

export interface Bundle {
  /** The action's entry (what action.yml's `main` names). */
  action: string;
  /** The CLI. */
  cli: string;
}

let built: Bundle | undefined;

export function freshBundle(): Bundle {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'kube-drift-bundle-'));
  execFileSync(process.execPath, [join(REPO_ROOT, 'tools/bundle.mjs'), '--outdir', dir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  built = { action: join(dir, 'index.js'), cli: join(dir, 'cli.js') };
  return built;
}
