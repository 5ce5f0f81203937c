// The first code of dist/cli.js and dist/index.js: checks the Node.js version, then loads the
// bundle (dist/cli-main.js, dist/action-main.js). ES module imports are evaluated before the
// module that imports them, so a check inside the bundle would come too late.
//
// The bundle runs in a worker thread that this file starts, and the worker runs this file again
// to load it. The reason is memory: listing thousands of live objects keeps most young objects
// alive through scavenges, and V8 then grows the young generation to its maximum (128 MB of
// the 300 MB peak at 5,000 objects, bench/RESULTS.md). The young generation's size is fixed
// when a V8 heap is created: `--max-semi-space-size` on the command line or NODE_OPTIONS (which
// a bin script cannot portably set, and the action runner does not), or a worker's
// `resourceLimits`. A worker over a re-exec: no second Node.js start-up, one process for
// signals (Ctrl-C ends both threads, as before; helm and kubectl children get it from the
// terminal), stdin is never read by kube-drift. What differs inside a worker, and is handled
// here: process.stdout/stderr are streams to this thread (written in order, flushed before the
// worker's exit event) that do not know whether they are terminals, so that is passed in;
// an exception that escapes the bundle arrives here as an 'error' event instead of ending the
// process with Node.js's 1, which would read as "drift", so it ends with 2 as a load failure
// does. The worker's `process.exitCode` becomes its exit code, which becomes this process's.
import { type Face, nodeVersionProblem } from './node-version.ts';

// Stamped by tools/bundle.mjs: the bundle to load, which face this is, and package.json's engines.node minimum.
declare const __KUBE_DRIFT_MAIN__: string;
declare const __KUBE_DRIFT_FACE__: Face;
declare const __KUBE_DRIFT_NODE_MINIMUM__: string;

/**
 * The worker's young generation. At 5,000 objects (bench/RESULTS.md, "Memory and start-up",
 * `diff -o json`, alternating runs): V8's default lets it grow to 128 MB, peak RSS 294-298 MB;
 * 48 MB: 205; 24: 186-195; 16: 193-196; 8: 179-188 MB; 4: 186-187 MB with more CPU time
 * (objects promoted too early fill the old generation). At 8 the run took no more CPU than at
 * 24 or 48, and less than in the main thread (fewer, smaller scavenges).
 */
const YOUNG_GENERATION_MB = 8;

interface EngineData {
  kubeDriftEngine: true;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

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
// Imported only now: an old Node.js must get the message above, whatever it lacks.
import('node:worker_threads')
  .then(({ isMainThread, workerData }) =>
    isMainThread ? startEngine() : loadEngine(workerData as EngineData),
  )
  .catch(failed);

async function startEngine(): Promise<void> {
  const threads = await import('node:worker_threads');
  const data: EngineData = {
    kubeDriftEngine: true,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
  };
  const engine = new threads.Worker(new URL(import.meta.url), {
    argv: process.argv.slice(2),
    // One environment: what the bundle sets (and passes to helm, kubectl) is the process's.
    env: threads.SHARE_ENV,
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  engine.on('error', failed);
  engine.on('exit', (code) => {
    if (process.exitCode === undefined) process.exitCode = code;
  });
}

async function loadEngine(data: EngineData): Promise<void> {
  if (data.stdoutIsTTY) Object.assign(process.stdout, { isTTY: true });
  if (data.stderrIsTTY) Object.assign(process.stderr, { isTTY: true });
  await enableCompileCache();
  await import(__KUBE_DRIFT_MAIN__);
}

/**
 * Node.js's compile cache (22.1+) keeps V8's compiled code of the bundle between runs, which
 * saves part of parsing and compiling the bundle on every start. The directory is the user's own
 * (a cache another user could write to would be code this process runs); when it cannot be made
 * or is not safely ours, the run goes on without a cache. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
async function enableCompileCache(): Promise<void> {
  try {
    const { enableCompileCache } = await import('node:module');
    const directory = await ownCacheDirectory();
    if (directory && enableCompileCache) enableCompileCache(directory);
  } catch {
    // No cache: only slower.
  }
}

async function ownCacheDirectory(): Promise<string | undefined> {
  const { lstatSync, mkdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const uid = process.getuid?.();
  // Windows: the temporary directory is already the user's own.
  if (uid === undefined) return join(tmpdir(), 'kube-drift-compile-cache');
  const directory = join(tmpdir(), `kube-drift-compile-cache-${uid}`);
  try {
    mkdirSync(directory, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  const stat = lstatSync(directory);
  const ours = stat.isDirectory() && stat.uid === uid && (stat.mode & 0o022) === 0;
  return ours ? directory : undefined;
}

function failed(error: unknown): void {
  // The bundle is missing, threw while loading or running, or ran out of memory: an error, as kubectl diff's 2.
  process.stderr.write(`kube-drift: ${error instanceof Error ? error.stack : error}\n`);
  process.exitCode = 2;
}
