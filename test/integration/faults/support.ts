// Shared setup for the fault tests: a second kube-apiserver to kill or throttle
// (tools/cluster/extra-apiserver.sh), the CLI run as a child process as users run it, its
// audit log to act on, and fixtures of many ConfigMaps.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../support/cluster.ts';

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, 'tools', 'cluster', 'extra-apiserver.sh');
const CLUSTER_DIR = process.env.KUBE_DRIFT_CLUSTER_DIR || join(REPO_ROOT, '.cluster');

export interface ExtraApiserver {
  port: number;
  url: string;
  kubeconfig: string;
  auditLog: string;
  start(): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** A second kube-apiserver on `port`; `flags` are passed on to kube-apiserver. */
export function extraApiserver(port: number, flags: string[] = []): ExtraApiserver {
  const script = async (...args: string[]) => {
    try {
      await run('bash', [SCRIPT, ...args], { cwd: REPO_ROOT, timeout: 120_000 });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`extra-apiserver.sh ${args.join(' ')} failed: ${e.stderr || e.message}`);
    }
  };
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    kubeconfig: join(CLUSTER_DIR, `kubeconfig-extra-${port}`),
    auditLog: join(CLUSTER_DIR, 'logs', `kube-apiserver-extra-${port}-audit.log`),
    start: () => script('start', String(port), ...flags),
    kill: () => script('kill', String(port)),
    stop: () => script('stop', String(port)),
  };
}

export interface AuditEvent {
  verb: string;
  requestURI: string;
  user: { username: string };
  responseStatus?: { code?: number };
}

/** Reads the audit events written after `offset` (a byte offset taken with auditOffset). */
export function auditEvents(file: string, offset: number): AuditEvent[] {
  let text: string;
  try {
    text = readFileSync(file).subarray(offset).toString('utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.startsWith('{') && line.endsWith('}'))
    .map((line) => JSON.parse(line) as AuditEvent);
}

export function auditOffset(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export interface CliProcess {
  child: ChildProcess;
  /** What it printed so far. */
  stderr(): string;
  done: Promise<{ code: number; stdout: string; stderr: string; signal: NodeJS.Signals | null; pid: number }>;
}

/** `kube-drift ARGS` as a child process (Node 24 with type stripping, src/cli-entry.ts). */
export function spawnCli(args: string[], env: Record<string, string> = {}, cwd = REPO_ROOT): CliProcess {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'src', 'cli-entry.ts'), ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const done = new Promise<{
    code: number;
    stdout: string;
    stderr: string;
    signal: NodeJS.Signals | null;
    pid: number;
  }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? -1, stdout, stderr, signal, pid: child.pid ?? -1 }),
    );
  });
  return { child, stderr: () => stderr, done };
}

/** The request counts the client prints with KUBE_DRIFT_STATS=1. */
export function statsOf(
  stderr: string,
): { requests: number; retries: number; protocol?: string } | undefined {
  const line = stderr.split('\n').find((l) => l.startsWith('kube-drift stats: '));
  return line ? JSON.parse(line.slice('kube-drift stats: '.length)) : undefined;
}

export interface ReportJson {
  summary: Record<string, number>;
  entries: { kind: string; namespace?: string; name: string; action: string; note?: string }[];
  errors: { message: string; object?: string }[];
}

/** `Kind/ns/name action` for every entry, sorted. */
export function actionsOf(report: ReportJson): string[] {
  return report.entries
    .map((e) => `${e.kind}/${e.namespace ? `${e.namespace}/` : ''}${e.name} ${e.action}`)
    .sort();
}

/** ConfigMaps `<prefix>-000` … in NAMESPACE, one file; `data` per index. */
export function configMapsYaml(
  namespace: string,
  prefix: string,
  indexes: number[],
  data: (i: number) => Record<string, string> = (i) => ({ index: String(i) }),
  labels: (i: number) => Record<string, string> = () => ({}),
): string {
  return indexes
    .map((i) => {
      const name = `${prefix}-${String(i).padStart(3, '0')}`;
      const labelLines = Object.entries(labels(i)).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`);
      const dataLines = Object.entries(data(i)).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
      return [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        `  name: ${name}`,
        `  namespace: ${namespace}`,
        ...(labelLines.length > 0 ? ['  labels:', ...labelLines] : []),
        'data:',
        ...dataLines,
      ].join('\n');
    })
    .join('\n---\n')
    .concat('\n');
}

export function writeRepo(dir: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
