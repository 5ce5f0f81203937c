// Helpers for integration tests against the local control plane (tools/cluster/up.sh).
// When the control plane is down these throw, so the tests fail rather than skip.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookupTool } from '../../src/render/tools.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLUSTER_DIR = process.env.KUBE_DRIFT_CLUSTER_DIR || join(REPO_ROOT, '.cluster');

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface KubectlOptions {
  /** Written to kubectl's standard input (for `-f -`). */
  input?: string;
  /** Defaults to the admin kubeconfig. */
  kubeconfig?: string;
}

function requireFile(path: string, what: string): string {
  if (!existsSync(path)) {
    throw new Error(`the local control plane is not up: run npm run cluster:up (${what} ${path} is missing)`);
  }
  return path;
}

/** Absolute path of the admin kubeconfig (`.cluster/kubeconfig`). */
export function kubeconfigPath(): string {
  return requireFile(join(CLUSTER_DIR, 'kubeconfig'), 'the admin kubeconfig');
}

/** Absolute path of the kubeconfig of the read-only ServiceAccount kube-drift-system/kube-drift-readonly. */
export function readonlyKubeconfigPath(): string {
  return requireFile(join(CLUSTER_DIR, 'kubeconfig-readonly'), 'the read-only kubeconfig');
}

/**
 * The kubectl binary, found as kube-drift finds it (src/render/tools.ts): $KUBE_DRIFT_KUBECTL,
 * then PATH, then the one tools/cluster/build.sh built into the cache.
 */
export function kubectlPath(env: NodeJS.ProcessEnv = process.env): string {
  const found = lookupTool('kubectl', env);
  if (!found)
    throw new Error(
      'kubectl was found neither on PATH nor in the cache: run npm run cluster:up, which builds it',
    );
  return found;
}

/** Runs kubectl against the local control plane; never throws on a non-zero exit status. */
export function kubectl(args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  const kubeconfig = opts.kubeconfig ?? kubeconfigPath();
  const binary = kubectlPath();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolvePromise({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8') + (signal ? `\n(kubectl killed by ${signal})` : ''),
        code: code ?? 1,
      });
    });
    child.stdin.on('error', () => {
      // kubectl may exit before reading its input; the exit status tells what happened.
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs kubectl and returns its standard output; throws with its stderr when it fails. */
export async function kubectlOk(args: string[], opts: KubectlOptions = {}): Promise<string> {
  const result = await kubectl(args, opts);
  if (result.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

export interface TestNamespace {
  name: string;
  /** Deletes the namespace without waiting for it to go. */
  cleanup: () => Promise<void>;
}

/** Creates a namespace named `<prefix>-<random>` for one test. */
export async function withNamespace(prefix: string): Promise<TestNamespace> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`.toLowerCase();
  await kubectlOk(['create', 'namespace', name]);
  return {
    name,
    cleanup: async () => {
      await kubectlOk(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
    },
  };
}

/**
 * Polls `fn` until it returns a value other than undefined/false, and returns that value.
 * Throws naming `what` (and the last error `fn` threw, if any) when `timeoutMs` passes.
 */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
}
