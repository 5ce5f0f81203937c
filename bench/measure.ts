// Runs one command as a child under /usr/bin/time and reads what it cost: wall time (our
// clock), user+system CPU and peak resident memory (the child's rusage, as time reports it).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './cluster.ts';

export interface Measurement {
  code: number;
  wallMs: number;
  /** user + sys, ms; NaN without /usr/bin/time. */
  cpuMs: number;
  /** Peak RSS in MB; NaN without /usr/bin/time. */
  maxRssMb: number;
  /** CPU the API server and etcd spent meanwhile, ms; NaN when their pids are unknown. */
  serverCpuMs: number;
  stdout: string;
  stderr: string;
}

/** Processes whose CPU time is charged to each run (the local control plane's API server and etcd). */
export const serverPids: number[] = [];

const TICKS_PER_SECOND = 100;

function serverCpu(): number {
  if (serverPids.length === 0) return Number.NaN;
  let ticks = 0;
  for (const pid of serverPids) {
    try {
      // /proc/PID/stat: fields 14 and 15 (utime, stime) follow the parenthesised command name.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      return Number.NaN;
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

const TIME = '/usr/bin/time';
export const haveTime = existsSync(TIME);

export async function measure(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'kd-time-'));
  const timeFile = join(dir, 'time');
  const argv = haveTime
    ? ([TIME, ['-f', '%U %S %M', '-o', timeFile, command, ...args]] as const)
    : ([command, args] as const);
  const serverBefore = serverCpu();
  const started = performance.now();
  const result = await run(argv[0], [...argv[1]], options);
  const wallMs = performance.now() - started;
  const serverCpuMs = serverCpu() - serverBefore;
  let cpuMs = Number.NaN;
  let maxRssMb = Number.NaN;
  if (haveTime) {
    // time writes "Command exited with non-zero status N" first when the child fails.
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [user, sys, rssKb] = last.split(' ').map(Number);
    cpuMs = (user + sys) * 1000;
    maxRssMb = rssKb / 1024;
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    code: result.code,
    wallMs,
    cpuMs,
    maxRssMb,
    serverCpuMs,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

// kubectl -v=6 logs one line per request; its format changed over releases, so match both.
export const KUBECTL_REQUEST =
  /(?:"Response" verb="[A-Z]+"|\] (?:GET|PATCH|POST|PUT|DELETE) https?:\/\/\S+ \d{3})/g;

export function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
