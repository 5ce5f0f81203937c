// Two remediation runs of one target at once. The target's Lease makes one wait for the
// other (or, with no time to wait, exit 2 naming the holder); both end consistent, and the
// cluster and the inventory end matching Git.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeClient } from '../../../src/kube/client.ts';
import { Discovery } from '../../../src/kube/discovery.ts';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { ClusterObjects } from '../../../src/kube/objects.ts';
import { acquireLease } from '../../../src/remediate/lease.ts';
import { kubeconfigPath, kubectl, type TestNamespace, withNamespace } from '../../support/cluster.ts';
import { configMapsYaml, type ReportJson, range, spawnCli, writeRepo } from './support.ts';

const CONFIGMAPS = 120;
const INVENTORY_NAMESPACE = 'kube-drift-system';

describe('two remediation runs of one target at once', () => {
  let ns: TestNamespace;
  let repo: string;
  const target = `faults-concurrent-${process.pid}`;
  const lease = `Lease/${INVENTORY_NAMESPACE}/kube-drift-${target}`;
  const common = () => [
    '--path',
    'apps',
    '--target',
    target,
    '--kubeconfig',
    kubeconfigPath(),
    '--output',
    'json',
    '--verbose',
  ];
  const applyArgs = (extra: string[] = []) => [
    'apply',
    ...common(),
    '--prune',
    '--max-deletions',
    '100',
    ...extra,
  ];
  const diffArgs = () => ['diff', ...common()];

  async function inventory(): Promise<string[]> {
    const result = await kubectl([
      'get',
      'configmap',
      `kube-drift-inventory-${target}`,
      '-n',
      INVENTORY_NAMESPACE,
      '-o',
      'jsonpath={.data.entries}',
    ]);
    return result.code === 0
      ? (JSON.parse(result.stdout || '[]') as string[]).map((l) => l.split('|')[4]).sort()
      : [];
  }

  before(async () => {
    ns = await withNamespace('faults-concurrent');
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-faults-concurrent-'));
  });

  after(async () => {
    await kubectl([
      'delete',
      'configmap',
      `kube-drift-inventory-${target}`,
      '-n',
      INVENTORY_NAMESPACE,
      '--ignore-not-found',
    ]);
    await ns?.cleanup();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  const names = (indexes: number[]) => indexes.map((i) => `cm-${String(i).padStart(3, '0')}`);

  /** Takes the target's Lease the way a run takes it, as `identity`; release it with the result. */
  async function holdLease(identity: string) {
    const loaded = loadKubeconfig({ path: kubeconfigPath() });
    const client = new KubeClient(loaded.config, loaded.server);
    const cluster = new ClusterObjects(client, await Discovery.load(client));
    const held = await acquireLease(cluster, {
      target,
      namespace: INVENTORY_NAMESPACE,
      fieldManager: 'kube-drift',
      waitSeconds: 0,
      identity,
      onWarning: () => undefined,
      onWait: () => undefined,
    });
    return {
      release: async () => {
        await held?.release();
        client.close();
      },
    };
  }

  it('started together: one waits for the other, both succeed, the cluster ends matching Git', async () => {
    writeRepo(repo, { 'apps/cms.yaml': configMapsYaml(ns.name, 'cm', range(0, CONFIGMAPS)) });
    // The test holds the Lease until both runs wait for it, so they overlap whatever the
    // machine's load (started as they came, the first could finish before the second began).
    // Released, one takes it and the other waits for that one.
    const test = await holdLease('the test (pid 1)');
    const runs = [0, 1].map(() => spawnCli(applyArgs(['--concurrency', '2']), {}, repo));
    const order: number[] = [];
    const done = runs.map((run, i) =>
      run.done.then((result) => {
        order.push(i);
        return result;
      }),
    );
    const waiting = new RegExp(`waiting for ${lease}, held by the test \\(pid 1\\)`);
    try {
      const until = Date.now() + 60_000;
      while (!runs.every((run) => waiting.test(run.stderr()))) {
        assert.ok(Date.now() < until, `both runs wait: ${runs.map((run) => run.stderr()).join('\n---\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await test.release();
    }
    const results = await Promise.all(done);
    for (const run of results) {
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as ReportJson;
      assert.deepEqual(report.errors, []);
      assert.equal(report.entries.length, CONFIGMAPS);
    }
    // The Lease is taken before planning: the run that finished last waited for the other and
    // planned against the cluster it left, so it reports what it found, not what the other did.
    const later = JSON.parse(results[order[1]].stdout) as ReportJson;
    assert.deepEqual(
      later.entries.filter((e) => e.action !== 'unchanged').map((e) => `${e.name} ${e.action}`),
      [],
    );
    const first = JSON.parse(results[order[0]].stdout) as ReportJson;
    assert.equal(first.entries.filter((e) => e.action === 'created').length, CONFIGMAPS);
    assert.deepEqual(await inventory(), names(range(0, CONFIGMAPS)));
    const check = await spawnCli(diffArgs(), {}, repo).done;
    assert.equal(check.code, 0, check.stdout);
    // The Lease is released at the end, not left to expire.
    assert.notEqual(
      (await kubectl(['get', 'lease', `kube-drift-${target}`, '-n', INVENTORY_NAMESPACE])).code,
      0,
    );
  });

  it('with one second to wait (--timeout 1): exits 2 naming the holder and writes nothing', async () => {
    // Another run holds the Lease (taken here the way a run takes it), for as long as this
    // test needs: no race with how fast a real first run happens to be.
    const wanted = [...range(0, CONFIGMAPS / 2), ...range(200, 260)];
    writeRepo(repo, { 'apps/cms.yaml': configMapsYaml(ns.name, 'cm', wanted) });
    const before = await inventory();
    const held = await holdLease('release-train run 42 (pid 4242)');
    try {
      const second = await spawnCli(applyArgs(['--timeout', '1']), {}, repo).done;
      assert.equal(second.code, 2, second.stderr);
      assert.match(
        second.stderr,
        new RegExp(
          `another remediation of target ${target} is running: ${lease} is held by release-train run 42 \\(pid 4242\\)`,
        ),
      );
      assert.match(second.stderr, /serialize runs with a workflow concurrency group/);
      assert.deepEqual(await inventory(), before, 'nothing applied, nothing pruned');
      assert.notEqual((await kubectl(['get', 'configmap', 'cm-200', '-n', ns.name])).code, 0);
    } finally {
      await held.release();
    }
    // Released: the next run converges.
    const next = await spawnCli(applyArgs(), {}, repo).done;
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(await inventory(), names(wanted));
    const check = await spawnCli(diffArgs(), {}, repo).done;
    assert.equal(check.code, 0, check.stdout);
  });
});
