// The API server dies in the middle of a diff. A second kube-apiserver (the shared one is
// never touched) is SIGKILLed once the run's dry-runs are arriving: restarted soon, the run
// retries and reports exactly what a run without the fault reports; kept down past the retry
// budget, the run fails with exit 2 naming the server and what to do. Never is an object
// reported unchanged that was not checked.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  kubeconfigPath,
  kubectlOk,
  type TestNamespace,
  waitFor,
  withNamespace,
} from '../../support/cluster.ts';
import {
  actionsOf,
  auditEvents,
  auditOffset,
  configMapsYaml,
  type ExtraApiserver,
  extraApiserver,
  type ReportJson,
  range,
  sleep,
  spawnCli,
  statsOf,
  writeRepo,
} from './support.ts';

const PORT = 16551;
const OBJECTS = 300;
/**
 * The killed runs dry-run all 300 objects one at a time, and the server dies after the fifth
 * answer: the run must still be dry-running then. The audit log is read with some lag, and with
 * the in-sync proof and 4 at a time the 150 dry-runs left were sometimes all answered first.
 */
const SLOW = ['--verify', 'all', '--concurrency', '1'];

describe('API server restarted in the middle of a diff', () => {
  let ns: TestNamespace;
  let repo: string;
  let server: ExtraApiserver;
  const target = `faults-restart-${process.pid}`;

  before(async () => {
    ns = await withNamespace('faults-restart');
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-faults-restart-'));
    // Git: 300 ConfigMaps. The cluster: 0-199 applied by kube-drift, 150-199 then edited by
    // hand (configured), 200-299 missing (created), 0-149 unchanged.
    writeRepo(repo, {
      'first/cms.yaml': configMapsYaml(ns.name, 'cm', range(0, 200)),
      'apps/cms.yaml': configMapsYaml(ns.name, 'cm', range(0, OBJECTS)),
    });
    const applied = await spawnCli(
      ['apply', '--path', 'first', '--target', target, '--kubeconfig', kubeconfigPath(), '--output', 'json'],
      {},
      repo,
    ).done;
    assert.equal(applied.code, 0, applied.stderr);
    await kubectlOk(
      ['apply', '--server-side', '--field-manager', 'hand-edit', '--force-conflicts', '-f', '-'],
      {
        input: configMapsYaml(ns.name, 'cm', range(150, 200), (i) => ({ index: `${i}-edited` })),
      },
    );
    server = extraApiserver(PORT);
    await server.start();
  });

  after(async () => {
    await server?.stop();
    await kubectlOk([
      'delete',
      'configmap',
      '-n',
      'kube-drift-system',
      `kube-drift-inventory-${target}`,
      '--ignore-not-found',
    ]);
    await ns?.cleanup();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  const diffArgs = (kubeconfig: string, extra: string[] = []) => [
    'diff',
    '--path',
    'apps',
    '--target',
    target,
    '--kubeconfig',
    kubeconfig,
    '--output',
    'json',
    '--concurrency',
    '4',
    '--verbose',
    ...extra,
  ];

  /** Starts a diff through the extra server and SIGKILLs the server once `dryRuns` dry-runs were answered. */
  async function diffKilledMidway(env: Record<string, string>, dryRuns: number, extra: string[] = []) {
    const offset = auditOffset(server.auditLog);
    const started = Date.now();
    const cli = spawnCli(diffArgs(server.kubeconfig, extra), { KUBE_DRIFT_STATS: '1', ...env }, repo);
    const seen = await waitFor(
      () => {
        const n = auditEvents(server.auditLog, offset).filter(
          (e) => e.verb === 'patch' && e.requestURI.includes('dryRun=All'),
        ).length;
        return n >= dryRuns ? n : undefined;
      },
      60_000,
      `${dryRuns} dry-runs in ${server.auditLog}`,
    );
    await server.kill();
    return { cli, started, killedAfterMs: Date.now() - started, dryRunsBeforeKill: seen };
  }

  it('restarted a few seconds later: the run retries and reports as a run without the fault', async () => {
    const baseline = await spawnCli(diffArgs(kubeconfigPath()), {}, repo).done;
    assert.equal(baseline.code, 1, baseline.stderr);
    const expected = JSON.parse(baseline.stdout) as ReportJson;
    assert.deepEqual(expected.summary, {
      created: 100,
      configured: 50,
      unchanged: 150,
      deleted: 0,
      skipped: 0,
      errors: 0,
    });

    const { cli, started, killedAfterMs, dryRunsBeforeKill } = await diffKilledMidway({}, 5, SLOW);
    await sleep(3000); // the server stays down a while
    await server.start();
    const restartedAfterMs = Date.now() - started;
    const result = await cli.done;
    const totalMs = Date.now() - started;
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout) as ReportJson;
    assert.deepEqual(report.errors, []);
    assert.deepEqual(actionsOf(report), actionsOf(expected));
    assert.deepEqual(report.summary, expected.summary);
    const stats = statsOf(result.stderr);
    assert.ok(stats && stats.retries > 0, `expected retries, stats: ${JSON.stringify(stats)}`);
    // The kill took the run's one HTTP/2 connection; the retries opened another.
    assert.equal(stats?.protocol, 'h2');
    assert.match(result.stderr, /retrying in \d+ ms: .*127\.0\.0\.1:16551 is unreachable/);
    console.log(
      `restart: killed after ${killedAfterMs} ms (${dryRunsBeforeKill} dry-runs answered), up again after ${restartedAfterMs} ms, run done after ${totalMs} ms; ${stats?.requests} requests, ${stats?.retries} retries`,
    );
  });

  it('kept down past the retry budget: exit 2, the server named, what to do, and no object reported unchecked', async () => {
    await server.start();
    const { cli, started } = await diffKilledMidway({ KUBE_DRIFT_RETRY_BUDGET_MS: '3000' }, 5, SLOW);
    const result = await cli.done;
    const totalMs = Date.now() - started;
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /kube-drift: .*the API server at https:\/\/127\.0\.0\.1:16551 is unreachable/,
    );
    assert.match(result.stderr, /Check that the cluster is up/);
    // No report at all rather than one with objects that were never checked.
    assert.equal(result.stdout, '');
    console.log(`restart: down past a 3 s budget, the run failed after ${totalMs} ms`);
  });
});
