// The benchmark's side effects on the local control plane: prerequisites, applying the
// repository, drifting 5% of it the way people do (kubectl scale, label, patch), waiting
// for the controllers to settle, and cleaning up.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_LABEL, type BenchObject, CRD_GROUP, prerequisites } from './generate.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
    child.stdin.end(options.input ?? '');
  });
}

export class BenchCluster {
  readonly kubeconfig: string;
  readonly kubectlPath: string;

  /** The namespaces' prefix (generate.ts), which keeps this run apart from others on the same cluster. */
  readonly prefix: string;

  constructor(kubeconfig: string, kubectlPath = 'kubectl', prefix = 'bench') {
    this.kubeconfig = kubeconfig;
    this.kubectlPath = kubectlPath;
    this.prefix = prefix;
  }

  async kubectl(args: string[], input?: string): Promise<CommandResult> {
    return run(this.kubectlPath, ['--kubeconfig', this.kubeconfig, ...args], { input });
  }

  async mustKubectl(args: string[], input?: string): Promise<string> {
    const r = await this.kubectl(args, input);
    if (r.code !== 0)
      throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim().slice(0, 2000)}`);
    return r.stdout;
  }

  async ready(): Promise<boolean> {
    const r = await this.kubectl(['get', '--raw', '/readyz']);
    return r.code === 0 && r.stdout.trim() === 'ok';
  }

  async serverVersion(): Promise<string> {
    const v = JSON.parse(await this.mustKubectl(['version', '-o', 'json'])) as {
      serverVersion?: { gitVersion?: string };
    };
    return v.serverVersion?.gitVersion ?? 'unknown';
  }

  async setUp(): Promise<void> {
    await this.mustKubectl(['apply', '--server-side', '-f', '-'], prerequisites(this.prefix));
    await this.mustKubectl([
      'wait',
      '--for=condition=Established',
      `crd/widgets.${CRD_GROUP}`,
      '--timeout=60s',
    ]);
  }

  /** Server-side apply of the plain tree, as kubectl does it (one PATCH per object, in order). */
  async apply(dir: string, fieldManager: string): Promise<void> {
    await this.mustKubectl([
      'apply',
      '--server-side',
      '--force-conflicts',
      `--field-manager=${fieldManager}`,
      '-R',
      '-f',
      dir,
    ]);
  }

  /**
   * Drifts each object by changing a field Git sets, so that both kube-drift and
   * `kubectl diff --server-side` must see it: Deployments scaled, Services, Roles and
   * RoleBindings relabelled, ConfigMap, Secret and Widget values patched.
   */
  async drift(objects: BenchObject[], parallel = 4): Promise<void> {
    // One kubectl per kind and namespace (kubectl takes many names): at 20,000 objects that is
    // 100 commands instead of 1,000.
    const batches = new Map<string, string[]>();
    for (const o of objects) {
      const key = `${o.kind}|${o.namespace}`;
      batches.set(key, [...(batches.get(key) ?? []), o.name]);
    }
    const patches: string[][] = [];
    for (const [key, names] of batches) {
      const [kind, namespace] = key.split('|') as [BenchObject['kind'], string];
      const n = ['-n', namespace];
      if (kind === 'Deployment') patches.push(['scale', ...n, 'deployment', ...names, '--replicas=2']);
      else if (kind === 'Service' || kind === 'Role' || kind === 'RoleBinding')
        patches.push(['label', ...n, '--overwrite', kind.toLowerCase(), ...names, 'tier=drifted']);
      else {
        const patch =
          kind === 'ConfigMap'
            ? { data: { level: 'debug' } }
            : kind === 'Secret'
              ? { stringData: { password: 'changed-by-hand' } }
              : { spec: { size: 99 } };
        const resource = kind === 'Widget' ? `widgets.${CRD_GROUP}` : kind.toLowerCase();
        patches.push(['patch', ...n, resource, ...names, '--type=merge', '-p', JSON.stringify(patch)]);
      }
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < patches.length) await this.mustKubectl(patches[next++]);
      }),
    );
  }

  /** Waits until every bench Deployment has its ReplicaSet's pods, so controllers are quiet while timing. */
  async settle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const out = await this.mustKubectl([
        'get',
        'deployments',
        '-A',
        '-l',
        'tier',
        '-o',
        'jsonpath={range .items[*]}{.metadata.namespace} {.spec.replicas} {.status.updatedReplicas} {.status.observedGeneration} {.metadata.generation}{"\\n"}{end}',
      ]);
      const lagging = out.split('\n').filter((line) => {
        const [namespace, want, have, observed, generation] = line.split(' ');
        return line && namespace.startsWith(`${this.prefix}-`) && (want !== have || observed !== generation);
      });
      if (lagging.length === 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    return false;
  }

  async benchNamespacesExist(): Promise<boolean> {
    const out = await this.mustKubectl(['get', 'namespaces', '-l', this.selector(), '-o', 'name']);
    return out.trim() !== '';
  }

  private selector(): string {
    return `${BENCH_LABEL}=${this.prefix}`;
  }

  /** Deletes this prefix's namespaces and inventory, and the CRD when no other run's namespaces remain. */
  async cleanUp(): Promise<void> {
    await this.kubectl(['delete', 'namespaces', '-l', this.selector(), '--wait=true', '--timeout=600s']);
    // The target's inventory (named after the prefix) lives outside those namespaces.
    await this.kubectl([
      '-n',
      'kube-drift-system',
      'delete',
      'configmap',
      `kube-drift-inventory-${this.prefix}`,
      '--ignore-not-found',
    ]);
    const others = await this.mustKubectl(['get', 'namespaces', '-l', BENCH_LABEL, '-o', 'name']);
    if (others.trim() !== '') return;
    await this.kubectl([
      'delete',
      'crd',
      `widgets.${CRD_GROUP}`,
      '--ignore-not-found',
      '--wait=true',
      '--timeout=120s',
    ]);
  }
}

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
