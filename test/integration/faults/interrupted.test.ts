// Remediation interrupted: `kube-drift apply` is SIGKILLed once its last stage has started
// writing (seen in a second kube-apiserver's audit log). The inventory never claims an object
// the cluster does not hold, keeps every object of the stages that finished, and what the
// killed stage applied carries the owner labels, so the next run finds it: that run reports
// and finishes the rest, records everything, and a later prune removes an object the killed
// run applied.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubectl, kubectlOk, waitFor } from '../../support/cluster.ts';
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
  writeRepo,
} from './support.ts';

const PORT = 16553;
const CONFIGMAPS = 150;
const INVENTORY_NAMESPACE = 'kube-drift-system';

describe('remediation interrupted after some objects were applied', () => {
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const namespace = `faults-interrupt-${suffix}`;
  const clusterRole = `kube-drift-faults-${suffix}`;
  const ingressClass = `kube-drift-faults-${suffix}`;
  const target = `faults-interrupt-${suffix}`;
  const inventoryName = `kube-drift-inventory-${target}`;
  let repo: string;
  let server: ExtraApiserver;

  // Three stages: Namespace and ClusterRole, then an IngressClass, then the ConfigMaps.
  const manifests = (configMaps: number[]) => ({
    'apps/namespace.yaml': `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`,
    'apps/rbac.yaml': `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${clusterRole}\nrules:\n- apiGroups: [""]\n  resources: ["configmaps"]\n  verbs: ["get"]\n`,
    'apps/class.yaml': `apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: ${ingressClass}\nspec:\n  controller: example.com/faults\n`,
    'apps/cms.yaml': configMapsYaml(namespace, 'cm', configMaps),
  });

  const applyArgs = (kubeconfig: string, extra: string[] = []) => [
    'apply',
    '--path',
    'apps',
    '--target',
    target,
    '--kubeconfig',
    kubeconfig,
    '--output',
    'json',
    ...extra,
  ];

  /** The inventory's entries as `Kind/ns/name` (or `Kind/name`). */
  async function inventory(): Promise<string[]> {
    const result = await kubectl([
      'get',
      'configmap',
      inventoryName,
      '-n',
      INVENTORY_NAMESPACE,
      '-o',
      'jsonpath={.data.entries}',
    ]);
    if (result.code !== 0) return [];
    return (JSON.parse(result.stdout || '[]') as string[])
      .map((line) => {
        const [, , kind, ns, name] = line.split('|');
        return ns ? `${kind}/${ns}/${name}` : `${kind}/${name}`;
      })
      .sort();
  }

  /** What carries the target's owner labels in the cluster, as `Kind/ns/name`. */
  async function labelled(): Promise<string[]> {
    const selector = `kube-drift.dev/name=${target}`;
    const out = await kubectlOk([
      'get',
      'namespaces,clusterroles,ingressclasses,configmaps',
      '-A',
      '-l',
      selector,
      '-o',
      'jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
    ]);
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace('//', '/'))
      .sort();
  }

  async function exists(subject: string): Promise<boolean> {
    const parts = subject.split('/');
    const [kind, ns, name] = parts.length === 3 ? parts : [parts[0], '', parts[1]];
    return (await kubectl(['get', `${kind}/${name}`, ...(ns ? ['-n', ns] : [])])).code === 0;
  }

  const stage01 = [`ClusterRole/${clusterRole}`, `IngressClass/${ingressClass}`, `Namespace/${namespace}`];

  before(async () => {
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-faults-interrupt-'));
    writeRepo(repo, manifests(range(0, CONFIGMAPS)));
    server = extraApiserver(PORT);
    await server.start();
  });

  after(async () => {
    await server?.stop();
    await kubectl(['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
    await kubectl(['delete', 'clusterrole', clusterRole, '--ignore-not-found']);
    await kubectl(['delete', 'ingressclass', ingressClass, '--ignore-not-found']);
    await kubectl(['delete', 'configmap', inventoryName, '-n', INVENTORY_NAMESPACE, '--ignore-not-found']);
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('killed in its last stage: the inventory tells the truth, and the next run finishes the rest', async () => {
    const offset = auditOffset(server.auditLog);
    const cli = spawnCli(applyArgs(server.kubeconfig, ['--concurrency', '2']), {}, repo);
    // Kill once ConfigMaps (the last stage) are being written for real, not dry-run.
    const applied = await waitFor(
      () => {
        const n = auditEvents(server.auditLog, offset).filter(
          (e) =>
            e.verb === 'patch' &&
            e.requestURI.startsWith(`/api/v1/namespaces/${namespace}/configmaps/cm-`) &&
            !e.requestURI.includes('dryRun') &&
            (e.responseStatus?.code ?? 0) < 300 &&
            (e.responseStatus?.code ?? 0) >= 200,
        ).length;
        return n >= 5 ? n : undefined;
      },
      60_000,
      'the first ConfigMaps to be applied',
    );
    cli.child.kill('SIGKILL');
    const killed = await cli.done;
    assert.equal(killed.signal, 'SIGKILL', `the run ended before it was killed: ${killed.stderr}`);

    const afterKill = await inventory();
    const labelledAfterKill = await labelled();
    // Never claims an object the cluster does not hold.
    for (const subject of afterKill)
      assert.ok(await exists(subject), `inventory claims ${subject}, which is not in the cluster`);
    // Keeps every object of the stages that finished before the kill.
    for (const subject of stage01)
      assert.ok(afterKill.includes(subject), `inventory forgot ${subject}: ${afterKill.join(', ')}`);
    // What the killed stage applied is marked as the target's, so the next run finds it.
    const configMapsApplied = labelledAfterKill.filter((s) => s.startsWith('ConfigMap/'));
    assert.ok(
      configMapsApplied.length >= applied && configMapsApplied.length < CONFIGMAPS,
      `${configMapsApplied.length} ConfigMaps applied before the kill`,
    );
    console.log(
      `interrupted: killed after ${configMapsApplied.length}/${CONFIGMAPS} ConfigMaps; the inventory then held ${afterKill.length} entries`,
    );

    // The next run reports and finishes the rest.
    // The killed run's Lease is not released: the next run waits for it to expire (60 s).
    const nextStarted = Date.now();
    const next = await spawnCli(applyArgs(server.kubeconfig, ['--verbose']), {}, repo).done;
    assert.equal(next.code, 0, next.stderr);
    assert.match(
      next.stderr,
      new RegExp(
        `waiting for Lease/${INVENTORY_NAMESPACE}/kube-drift-${target}, held by .*pid ${killed.pid}`,
      ),
    );
    console.log(
      `interrupted: the next run took ${Date.now() - nextStarted} ms, most of it waiting for the dead run's Lease`,
    );
    const report = JSON.parse(next.stdout) as ReportJson;
    assert.deepEqual(report.errors, []);
    assert.equal(report.summary.created, CONFIGMAPS - configMapsApplied.length);
    assert.equal(report.summary.unchanged, 3 + configMapsApplied.length);
    const all = [
      ...stage01,
      ...range(0, CONFIGMAPS).map((i) => `ConfigMap/${namespace}/cm-${String(i).padStart(3, '0')}`),
    ].sort();
    assert.deepEqual(await inventory(), all);
    assert.deepEqual(await labelled(), all);
    const again = await spawnCli(['diff', ...applyArgs(server.kubeconfig).slice(1)], {}, repo).done;
    assert.equal(again.code, 0, again.stdout);

    // A ConfigMap the killed run applied leaves Git: prune finds and deletes it.
    const victim = configMapsApplied[0];
    const victimIndex = Number(victim.slice(victim.lastIndexOf('-') + 1));
    writeRepo(repo, manifests(range(0, CONFIGMAPS).filter((i) => i !== victimIndex)));
    const pruned = await spawnCli(applyArgs(server.kubeconfig, ['--prune']), {}, repo).done;
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.ok(actionsOf(JSON.parse(pruned.stdout) as ReportJson).includes(`${victim} deleted`));
    assert.equal(await exists(victim), false);
    assert.deepEqual(
      await inventory(),
      all.filter((s) => s !== victim),
    );
  });
});
