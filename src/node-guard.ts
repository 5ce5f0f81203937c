// The first code of dist/cli.js and dist/index.js: checks the Node.js version, then loads the
// bundle (dist/cli-main.js, dist/action-main.js). ES module imports are evaluated before the
// module that imports them, so a check inside the bundle would come too late.
//
// Before the bundle loads, the young generation is kept at its initial size. The reason is
// memory: listing thousands of live objects keeps most young objects alive through scavenges,
// and V8 then grows the young generation to its maximum (128 MB of the 300 MB peak at 5,000
// objects, bench/RESULTS.md). `--max-semi-space-size` is read only when a V8 heap is created
// (the command line or NODE_OPTIONS, which a bin script cannot portably set and the action
// runner does not), but `--semi-space-growth-factor` is read each time V8 would grow the new
// space, so setting it to 1 here, before anything is allocated in quantity, holds the new space
// at its initial 1 MB semispaces. Until 2026-12-03 the bundle ran in a worker thread instead,
// whose `resourceLimits` bounded the young generation at 8 MB; starting a second isolate cost
// 65-85 ms and about 20 MB at every start (bench/RESULTS.md, "sixth stop"). The old generation's
// growth after each full collection is set here too, for the same reason (OLD_GENERATION_FLAG).
//
// An exception that escapes the bundle ends the process with 2, as a load failure does, not
// with Node.js's 1, which would read as "drift".
import { type Face, nodeVersionProblem } from './node-version.ts';
import { ownDirectory } from './own-directory.ts';

// Stamped by tools/bundle.mjs: the bundle to load, which face this is, and package.json's engines.node minimum.
declare const __KUBE_DRIFT_MAIN__: string;
declare const __KUBE_DRIFT_FACE__: Face;
declare const __KUBE_DRIFT_NODE_MINIMUM__: string;

/**
 * V8's factor for growing the new space; 1 keeps it at its initial size. Measured against the
 * worker with an 8 MB young generation (bench/RESULTS.md, "sixth stop", alternating runs):
 * 1,000 objects 0.88 s against 0.95 s (median) and 111 MB against 130; 5,000 objects 2.00 s
 * against 2.35 s and 159 MB against 171; 20,000 objects 328 MB against 443; the
 * real-repository mix 177 MB against 216. More scavenges (117 against 30 at 1,000 objects)
 * cost less than the second isolate saved.
 */
const YOUNG_GENERATION_FLAG = '--semi-space-growth-factor=1';

/**
 * The old generation grows by 10% after each full collection, where V8 would pick a factor
 * of up to 4 while collections are quick. Read at each collection like the flag above. The
 * real-repository mix (bench/RESULTS.md, "seventh stop"): `render` 191-204 MB against 141-146,
 * `diff` 195-208 against 166-172; at 1,000 objects, no difference beyond the noise.
 */
const OLD_GENERATION_FLAG = '--heap-growing-percent=10';

/**
 * No code is compiled by Turbofan, V8's top tier; Maglev, the tier below it, still compiles hot
 * code. A run lasts about a second, and Turbofan spent more compiling (on this thread and on
 * others that the API server shares the machine with) than its code won back: at 1,000 objects
 * 12% less CPU and 7% less time without it; at 20,000, where it pays back, 3% more time
 * (bench/RESULTS.md, "eighth stop"). `--max-opt` would say the same but is read only when V8
 * starts; this one is read at each decision to optimize, so setting it here works.
 */
const TOP_TIER_FLAG = '--no-turbofan';

const problem = nodeVersionProblem(
  process.versions.node,
  __KUBE_DRIFT_NODE_MINIMUM__,
  __KUBE_DRIFT_FACE__,
  process.execPath,
);
if (problem) {
  // On a runner, also as a workflow error, so the reason shows on the run's page.
  if (process.env.GITHUB_ACTIONS === 'true') process.stdout.write(`::error::${problem.split('\n')[0]}\n`);
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}
process.on('uncaughtException', failed);
loadEngine().catch(failed);

async function loadEngine(): Promise<void> {
  // Taken only now: an old Node.js must get the message above, whatever it lacks. Taken, not
  // imported: an ES module import of a builtin builds a facade that reads all its exports.
  const { setFlagsFromString } = process.getBuiltinModule('node:v8');
  setFlagsFromString(YOUNG_GENERATION_FLAG);
  setFlagsFromString(OLD_GENERATION_FLAG);
  setFlagsFromString(TOP_TIER_FLAG);
  enableCompileCache();
  await import(__KUBE_DRIFT_MAIN__);
}

/**
 * Node.js's compile cache (22.1+) keeps V8's compiled code of the bundle between runs, which
 * saves part of parsing and compiling the bundle on every start. The directory is the user's own
 * (a cache another user could write to would be code this process runs); when it cannot be made
 * or is not safely ours, the run goes on without a cache. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
function enableCompileCache(): void {
  try {
    const { enableCompileCache } = process.getBuiltinModule('node:module');
    const directory = ownCacheDirectory();
    if (directory && enableCompileCache) enableCompileCache(directory);
  } catch {
    // No cache: only slower.
  }
}

function ownCacheDirectory(): string | undefined {
  const { tmpdir } = process.getBuiltinModule('node:os');
  const { join } = process.getBuiltinModule('node:path');
  const uid = process.getuid?.();
  // Windows: the temporary directory is already the user's own.
  return ownDirectory(
    join(tmpdir(), uid === undefined ? 'kube-drift-compile-cache' : `kube-drift-compile-cache-${uid}`),
  );
}

function failed(error: unknown): void {
  // The bundle is missing, or threw while loading or running: an error, as kubectl diff's 2.
  process.stderr.write(`kube-drift: ${error instanceof Error ? error.stack : error}\n`);
  process.exit(2);
}
