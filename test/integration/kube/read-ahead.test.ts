// Reads sent ahead (KubeClient.readAhead) against the real control plane: the later request of
// the same path and query takes the answer once, and nothing else does; a failed read ahead
// fails the request that takes it, as its own would have, and one never taken is harmless.
// Then the engine: a diff run reads the target's inventory, its owner-label lists and their
// schemas while it renders, and the plan takes every one of them, with no read made twice.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeClient } from '../../../src/kube/client.ts';
import { Discovery, type ResourceInfo } from '../../../src/kube/discovery.ts';
import { KubeApiError } from '../../../src/kube/errors.ts';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { ClusterObjects } from '../../../src/kube/objects.ts';
import { kubeconfigPath, kubectlOk, type TestNamespace, withNamespace } from '../../support/cluster.ts';
import { applyWithKubeDrift, forgetTarget } from '../../support/verify.ts';
import { spawnCli } from '../faults/support.ts';

async function connect(): Promise<ClusterObjects> {
  const loaded = loadKubeconfig({ path: kubeconfigPath() });
  const client = new KubeClient(loaded.config, loaded.server, { retryBudgetMs: 5_000 });
  return new ClusterObjects(client, await Discovery.load(client));
}

describe('reads sent ahead', { timeout: 120_000 }, () => {
  let ns: TestNamespace;
  let cluster: ClusterObjects;
  let configMaps: ResourceInfo;
  const colors = async (selector?: string) =>
    (await cluster.list(configMaps, 'v1', ns.name, selector))
      .filter((o) => o.metadata.name === 'settings')
      .map((o) => (o.data as Record<string, string>).color);

  before(async () => {
    ns = await withNamespace('read-ahead');
    await kubectlOk(['-n', ns.name, 'create', 'configmap', 'settings', '--from-literal=color=blue']);
    await kubectlOk(['-n', ns.name, 'label', 'configmap', 'settings', 'tier=web']);
    cluster = await connect();
    configMaps = cluster.info({ group: '', kind: 'ConfigMap' }) as ResourceInfo;
  });
  after(async () => {
    cluster?.client.close();
    await ns?.cleanup();
  });

  it('the next list of the same path and query takes the answer read ahead, once', async () => {
    const stats = cluster.client.stats;
    const before = stats.requests;
    cluster.readAheadList(configMaps, 'v1', ns.name);
    cluster.readAheadList(configMaps, 'v1', ns.name, 'tier=web');
    // Read ahead twice: still one request.
    cluster.readAheadList(configMaps, 'v1', ns.name);
    assert.deepEqual(stats.readAhead, { sent: 2, taken: 0 });
    // Wait for both answers, then change the object: the lists that take them see it as it was.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await kubectlOk(['-n', ns.name, 'patch', 'configmap', 'settings', '-p', '{"data":{"color":"green"}}']);
    assert.deepEqual(await colors(), ['blue']);
    assert.deepEqual(await colors('tier=web'), ['blue']);
    assert.equal(stats.requests, before + 2);
    assert.deepEqual(stats.readAhead, { sent: 2, taken: 2 });
    // Taken once: the same list again reads afresh, as does one with another query.
    assert.deepEqual(await colors(), ['green']);
    assert.deepEqual(await colors('tier=db'), []);
    assert.equal(stats.requests, before + 4);
  });

  it('a read ahead nothing took is forgotten, and a failed one fails the request that takes it', async () => {
    cluster.readAheadList(configMaps, 'v1', ns.name);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await kubectlOk(['-n', ns.name, 'patch', 'configmap', 'settings', '-p', '{"data":{"color":"red"}}']);
    cluster.client.forgetReadAheads();
    assert.deepEqual(await colors(), ['red']);

    const path = `/api/v1/namespaces/${ns.name}/configmaps/missing`;
    const options = { operation: { verb: 'get', subject: 'ConfigMap missing' } };
    const early = cluster.client.readAhead(path, options);
    await assert.rejects(early, (error: unknown) => error instanceof KubeApiError && error.notFound);
    await assert.rejects(
      cluster.client.request('GET', path, options),
      (error: unknown) => error instanceof KubeApiError && error.notFound,
    );
    // Never taken and rejected: the process goes on (an unhandled rejection would fail this file).
    cluster.client.readAhead(`${path}-too`, options);
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
});

describe('a diff run reads ahead while it renders', { timeout: 180_000 }, () => {
  let ns: TestNamespace;
  let repo: string;

  before(async () => {
    ns = await withNamespace('read-ahead-run');
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-read-ahead-'));
    mkdirSync(join(repo, 'app'));
    writeFileSync(
      join(repo, 'app', 'app.yaml'),
      `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: blue}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [''], resources: [configmaps], verbs: [get]}]
`,
    );
    await applyWithKubeDrift(repo, ns.name, ['app']);
  });
  after(async () => {
    if (ns) await forgetTarget(ns.name);
    await ns?.cleanup();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  /** A diff run; its schemas are fetched unless `cache` (a KUBE_DRIFT_CACHE_DIR) holds them. */
  const diff = async (cache = 'off') => {
    const run = await spawnCli(
      [
        'diff',
        '-n',
        ns.name,
        '--target',
        ns.name,
        '--path',
        'app',
        '-o',
        'json',
        '--kubeconfig',
        kubeconfigPath(),
      ],
      { KUBE_DRIFT_STATS: '1', KUBE_DRIFT_CACHE_DIR: cache },
      repo,
    ).done;
    const line = run.stderr.split('\n').find((l) => l.startsWith('kube-drift stats: '));
    assert.ok(line, run.stderr);
    return { ...run, stats: JSON.parse(line.slice('kube-drift stats: '.length)) };
  };

  it('the owner-label lists of the inventory’s four kinds and their three schemas, each read once', async () => {
    await kubectlOk(['-n', ns.name, 'patch', 'configmap', 'settings', '-p', '{"data":{"color":"green"}}']);
    const run = await diff();
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(
      report.entries
        .filter((e: { action: string }) => e.action !== 'unchanged')
        .map(
          (e: {
            kind: string;
            name: string;
            changes: { path: string; before: unknown; after: unknown }[];
          }) => [e.kind, e.name, e.changes.map((c) => [c.path, c.before, c.after])],
        ),
      [['ConfigMap', 'settings', [['/data/color', 'green', 'blue']]]],
    );
    // Sent ahead: the four lists, the OpenAPI index and three documents (v1, apps/v1, rbac/v1).
    assert.deepEqual(run.stats.readAhead, { sent: 8, taken: 8 });
    // Once each: the inventory, four lists (and the risk review's six in the namespace of the changed ConfigMap), 1 + 3 schemas.
    assert.equal(run.stats.byVerb.get, 1);
    assert.equal(run.stats.byVerb.list, 4 + 6);
    assert.equal(run.stats.byVerb['read OpenAPI schema'], 4);
  });

  it('schemas a run fetched come from the disk cache on the next run, with the same findings', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'kube-drift-openapi-cache-'));
    try {
      await kubectlOk(['-n', ns.name, 'patch', 'configmap', 'settings', '-p', '{"data":{"color":"red"}}']);
      const cold = await diff(cache);
      const warm = await diff(cache);
      assert.equal(cold.code, 1, cold.stderr);
      assert.equal(warm.code, 1, warm.stderr);
      const changes = (stdout: string) =>
        JSON.parse(stdout).entries.flatMap(
          (e: { name: string; changes: { path: string; after: unknown }[] }) =>
            e.changes.map((c) => [e.name, c.path, c.after]),
        );
      assert.deepEqual(changes(warm.stdout), [['settings', '/data/color', 'blue']]);
      assert.deepEqual(changes(warm.stdout), changes(cold.stdout));
      assert.equal(cold.stats.byVerb['read OpenAPI schema'], 4);
      // The index only: it names each document by the hash of its content.
      assert.equal(warm.stats.byVerb['read OpenAPI schema'], 1);
      assert.deepEqual(warm.stats.readAhead, { sent: 5, taken: 5 });
      // One directory (made 0700) holding one file per document fetched.
      const [directory] = readdirSync(cache).map((name) => join(cache, name));
      assert.equal(readdirSync(directory).length, 3, readdirSync(directory).join(', '));
      assert.equal(statSync(directory).mode & 0o777, 0o700);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('apply reads nothing ahead: it reads the target after it holds the Lease', async () => {
    const run = await spawnCli(
      ['apply', '-n', ns.name, '--target', ns.name, '--path', 'app', '--kubeconfig', kubeconfigPath()],
      { KUBE_DRIFT_STATS: '1' },
      repo,
    ).done;
    assert.equal(run.code, 0, run.stderr);
    const line = run.stderr.split('\n').find((l) => l.startsWith('kube-drift stats: '));
    assert.ok(line, run.stderr);
    assert.equal(JSON.parse(line.slice('kube-drift stats: '.length)).readAhead, undefined);
    assert.deepEqual((await diff()).stats.readAhead, { sent: 8, taken: 8 });
  });
});
