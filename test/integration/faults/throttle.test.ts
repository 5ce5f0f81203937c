// Throttling: a second kube-apiserver that serves one mutating and one read request at a
// time (max-in-flight, priority and fairness off) answers a burst of dry-runs with 429 and
// Retry-After. Admins (system:masters) are never throttled, so the run uses a test-only
// ServiceAccount. The run honours Retry-After, retries, and reports as an unthrottled run.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  REPO_ROOT,
  type TestNamespace,
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
  spawnCli,
  statsOf,
  writeRepo,
} from './support.ts';

const PORT = 16552;

describe('throttled by the API server (429 with Retry-After)', () => {
  let ns: TestNamespace;
  let repo: string;
  let server: ExtraApiserver;
  let throttledKubeconfig: string;
  const sa = 'kube-drift-throttled';
  const binding = `kube-drift-faults-throttle-${process.pid}`;
  const target = `faults-throttle-${process.pid}`;

  before(async () => {
    ns = await withNamespace('faults-throttle');
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-faults-throttle-'));
    writeRepo(repo, { 'apps/cms.yaml': configMapsYaml(ns.name, 'cm', range(0, 60)) });
    await kubectlOk(['create', 'serviceaccount', sa, '-n', ns.name]);
    // Read everything (the plan lists by owner label cluster-wide), write in its namespace.
    await kubectlOk([
      'create',
      'clusterrolebinding',
      binding,
      '--clusterrole',
      'view',
      `--serviceaccount=${ns.name}:${sa}`,
    ]);
    await kubectlOk([
      'create',
      'rolebinding',
      'edit',
      '-n',
      ns.name,
      '--clusterrole',
      'edit',
      `--serviceaccount=${ns.name}:${sa}`,
    ]);
    const token = (await kubectlOk(['create', 'token', sa, '-n', ns.name, '--duration', '1h'])).trim();
    server = extraApiserver(PORT, [
      '--enable-priority-and-fairness=false',
      '--max-requests-inflight=1',
      '--max-mutating-requests-inflight=1',
    ]);
    await server.start();
    const ca = readFileSync(
      join(process.env.KUBE_DRIFT_CLUSTER_DIR || join(REPO_ROOT, '.cluster'), 'pki', 'ca.crt'),
    ).toString('base64');
    throttledKubeconfig = join(repo, 'kubeconfig-throttled');
    writeFileSync(
      throttledKubeconfig,
      `apiVersion: v1
kind: Config
clusters:
- name: extra
  cluster: {server: "${server.url}", certificate-authority-data: "${ca}"}
users:
- name: ${sa}
  user: {token: "${token}"}
contexts:
- name: extra
  context: {cluster: extra, user: ${sa}, namespace: ${ns.name}}
current-context: extra
`,
      { mode: 0o600 },
    );
  });

  after(async () => {
    await server?.stop();
    await kubectl(['delete', 'clusterrolebinding', binding, '--ignore-not-found']);
    await ns?.cleanup();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('honours Retry-After, retries, and reports as an unthrottled run', async () => {
    const args = (kubeconfig: string) => [
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
      '16',
      '--verbose',
    ];
    const baseline = await spawnCli(args(kubeconfigPath()), {}, repo).done;
    assert.equal(baseline.code, 1, baseline.stderr);

    const offset = auditOffset(server.auditLog);
    const started = Date.now();
    const result = await spawnCli(args(throttledKubeconfig), { KUBE_DRIFT_STATS: '1' }, repo).done;
    const tookMs = Date.now() - started;
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout) as ReportJson;
    assert.deepEqual(report.errors, []);
    assert.deepEqual(actionsOf(report), actionsOf(JSON.parse(baseline.stdout) as ReportJson));

    // The server did throttle, and every 429 was followed by a wait of its Retry-After (1 s).
    const throttled = auditEvents(server.auditLog, offset).filter(
      (e) => e.responseStatus?.code === 429,
    ).length;
    assert.ok(throttled > 0, 'the server answered no request with 429');
    const retryLines = result.stderr.split('\n').filter((l) => l.startsWith('retrying in '));
    const on429 = retryLines.filter((l) => /Too many requests/i.test(l));
    assert.ok(on429.length > 0, `no retry after a 429:\n${result.stderr}`);
    for (const line of on429) assert.match(line, /^retrying in 1\d{3} ms: /);
    const stats = statsOf(result.stderr);
    assert.equal(stats?.retries, retryLines.length);
    console.log(
      `throttle: ${throttled} requests answered 429, ${stats?.retries} retries over ${stats?.requests} requests; the run took ${tookMs} ms`,
    );
  });
});
