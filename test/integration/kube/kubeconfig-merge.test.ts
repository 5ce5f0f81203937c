// KUBECONFIG with several files: the merge equals kubectl's own (`kubectl config view`), and
// a diff with KUBECONFIG=<empty file>:<other file>:<missing>:<the control plane's kubeconfig>
// reaches the local control plane.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mergeKubeconfigFiles } from '../../../src/kube/kubeconfig-merge.ts';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectlOk,
  kubectlPath,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';

interface Named<T> {
  name: string;
  [key: string]: T | string;
}

/**
 * What kubectl makes of a KUBECONFIG list: names → server/CA, token/certificate,
 * cluster/user/namespace. Flattened, so a certificate is its file's content: which file a
 * relative path was resolved against shows.
 */
function kubectlView(list: string) {
  const view = JSON.parse(
    execFileSync(kubectlPath(), ['config', 'view', '--raw', '--flatten', '-o', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: list },
      encoding: 'utf8',
    }),
  );
  const byName = <T>(entries: Named<T>[] | null, key: string, pick: (value: T) => unknown) =>
    Object.fromEntries((entries ?? []).map((entry) => [entry.name, pick(entry[key] as T)]));
  return {
    clusters: byName<Record<string, string>>(view.clusters, 'cluster', (c) => [
      c.server,
      c['certificate-authority-data'],
    ]),
    users: byName<Record<string, string>>(view.users, 'user', (u) => [u.token, u['client-certificate-data']]),
    contexts: byName<Record<string, string>>(view.contexts, 'context', (c) => [
      c.cluster,
      c.user,
      c.namespace,
    ]),
    current: view['current-context'] || undefined,
  };
}

/** The same projection of kube-drift's merge. */
function ownView(paths: string[]) {
  const { config } = mergeKubeconfigFiles(paths);
  const content = (file: string | undefined) => (file ? readFileSync(file).toString('base64') : undefined);
  return {
    clusters: Object.fromEntries(config.getClusters().map((c) => [c.name, [c.server, content(c.caFile)]])),
    users: Object.fromEntries(config.getUsers().map((u) => [u.name, [u.token, content(u.certFile)]])),
    contexts: Object.fromEntries(config.getContexts().map((c) => [c.name, [c.cluster, c.user, c.namespace]])),
    current: config.getCurrentContext() || undefined,
  };
}

describe('KUBECONFIG with several files', { timeout: 120_000 }, () => {
  let dir: string;
  let ns: TestNamespace | undefined;
  const savedKubeconfig = process.env.KUBECONFIG;
  const startDir = process.cwd();
  const write = (name: string, value: unknown) => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kube-drift-kubeconfigs-'));
  });
  after(async () => {
    process.chdir(startDir);
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
    rmSync(dir, { recursive: true, force: true });
    await ns?.cleanup();
  });

  it('merges as kubectl config view does', () => {
    const first = write('first/config', {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'shared', cluster: { server: 'https://first:6443', 'certificate-authority': 'ca.crt' } },
      ],
      users: [{ name: 'admin', user: { token: 'first-token' } }],
      contexts: [{ name: 'work', context: { cluster: 'shared', user: 'admin' } }],
    });
    const second = write('second/config', {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'shared', cluster: { server: 'https://second:6443', 'certificate-authority': 'other.crt' } },
        { name: 'other', cluster: { server: 'https://other:6443' } },
      ],
      users: [
        { name: 'admin', user: { token: 'second-token' } },
        { name: 'guest', user: { 'client-certificate': 'certs/guest.crt', 'client-key': 'certs/guest.key' } },
      ],
      contexts: [
        { name: 'work', context: { cluster: 'other', user: 'guest', namespace: 'x' } },
        { name: 'play', context: { cluster: 'other', user: 'guest', namespace: 'y' } },
      ],
      'current-context': 'play',
    });
    write('first/ca.crt', 'the first file CA');
    write('second/other.crt', 'the second file CA');
    write('second/certs/guest.crt', 'the guest certificate');
    write('second/certs/guest.key', 'the guest key');
    const third = write('third/config', { apiVersion: 'v1', kind: 'Config', 'current-context': 'work' });
    const empty = write('empty', '');
    const missing = join(dir, 'missing');
    for (const paths of [
      [empty, first, missing, second, third],
      [third, second, first],
      [second, empty, first],
    ]) {
      assert.deepEqual(
        ownView(paths),
        kubectlView(paths.join(delimiter)),
        `KUBECONFIG=${paths.join(delimiter)}`,
      );
    }
  });

  it('diffs against the control plane with KUBECONFIG=<empty>:<other>:<missing>:<its kubeconfig>', async () => {
    ns = await withNamespace('kubeconfigs');
    const empty = write('diff/empty', '');
    const other = write('diff/other', {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'elsewhere', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'nobody', user: { token: 'x' } }],
      contexts: [{ name: 'elsewhere', context: { cluster: 'elsewhere', user: 'nobody' } }],
    });
    const repo = join(dir, 'repo');
    write(
      'repo/deploy/cm.yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: merged\n  namespace: ${ns.name}\ndata:\n  a: "1"\n`,
    );
    await kubectlOk(['create', 'configmap', 'merged', '-n', ns.name, '--from-literal=a=2']);
    process.env.KUBECONFIG = [empty, other, join(dir, 'diff/missing'), kubeconfigPath()].join(delimiter);
    process.chdir(repo);
    const run = await runCli([
      'diff',
      '--output',
      'json',
      '--target',
      ns.name,
      '--three-way',
      'off',
      'deploy',
    ]);
    assert.ok(
      run.stdout.startsWith('{'),
      `expected a JSON report, got: ${run.stdout.slice(0, 300)} ${run.stderr}`,
    );
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.errors, []);
    // The control plane's server: its file is the only one with a current-context.
    const admin = kubectlView(kubeconfigPath());
    const [clusterName] = admin.contexts[admin.current] as string[];
    assert.equal(report.cluster, (admin.clusters[clusterName] as string[])[0]);
    const entry = report.entries.find((e: { name: string }) => e.name === 'merged');
    assert.deepEqual(
      entry.changes.map((c: { path: string; before: unknown; after: unknown }) => [
        c.path,
        c.before,
        c.after,
      ]),
      [['/data/a', '2', '1']],
    );
    assert.equal(run.code, 1);
  });
});
