// Shared setup for the remediation tests: a ClusterObjects on the local control plane, desired
// objects from the fixtures, a plan as the engine makes it, and remediation options.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Plan, type PlanOptions, plan } from '../../../src/drift/plan.ts';
import { KubeClient } from '../../../src/kube/client.ts';
import { Discovery } from '../../../src/kube/discovery.ts';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { ClusterObjects } from '../../../src/kube/objects.ts';
import {
  type ChangeSet,
  type DesiredObject,
  hasDrift,
  type KubeObject,
  summarize,
} from '../../../src/model.ts';
import { Redactor } from '../../../src/redaction.ts';
import { type RemediateOptions, type RemediationResult, remediate } from '../../../src/remediate/index.ts';
import { readInventory } from '../../../src/remediate/inventory.ts';
import { claimOf } from '../../../src/remediate/owner.ts';
import { parseManifests } from '../../../src/render/index.ts';
import { kubeconfigPath, REPO_ROOT } from '../../support/cluster.ts';

export interface Connected {
  cluster: ClusterObjects;
  close(): void;
}

export async function connect(kubeconfig = kubeconfigPath()): Promise<Connected> {
  const { config, server } = loadKubeconfig({ path: kubeconfig });
  const client = new KubeClient(config, server);
  const discovery = await Discovery.load(client);
  return { cluster: new ClusterObjects(client, discovery), close: () => client.close() };
}

/** Desired objects from a fixture, with NAMESPACE (and other placeholders) replaced. */
export function fixture(name: string, replacements: Record<string, string>): DesiredObject[] {
  const file = join('test', 'fixtures', 'remediate', name);
  let text = readFileSync(join(REPO_ROOT, file), 'utf8');
  for (const [placeholder, value] of Object.entries(replacements)) text = text.replaceAll(placeholder, value);
  return parseManifests(text, file);
}

export function configMap(
  namespace: string,
  name: string,
  data: Record<string, string>,
  annotations?: Record<string, string>,
): DesiredObject {
  const object: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    data,
  };
  return { object, source: { file: 'inline.yaml', line: 1 } };
}

export function uniqueTarget(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export interface Run {
  target: string;
  namespace: string;
  inventoryNamespace: string;
  redactor: Redactor;
  /** The repository this run applies for (normalized, as the engine resolves it). */
  owner: string;
}

/** The owner of the test runs: a repository of its own. */
export const TEST_OWNER = 'github.com/kube-drift-tests/remediate';

export function newRun(
  target: string,
  namespace: string,
  inventoryNamespace = namespace,
  owner = TEST_OWNER,
): Run {
  return { target, namespace, inventoryNamespace, redactor: new Redactor(), owner };
}

/** The names a target's inventory records, sorted. */
export async function inventoryNames(cluster: ClusterObjects, run: Run): Promise<string[]> {
  const inventory = await readInventory(cluster, run.target, run.inventoryNamespace);
  return inventory.entries.map((r) => `${r.kind}/${r.name}`).sort();
}

/** Plans as the engine does: the inventory read first, its refs passed as deletion candidates when this run's owner holds it. */
export async function planRun(
  run: Run,
  desired: DesiredObject[],
  cluster: ClusterObjects,
  more: Partial<PlanOptions> = {},
): Promise<Plan> {
  const found = await readInventory(cluster, run.target, run.inventoryNamespace);
  const inventory = claimOf(found, run.owner).kind === 'foreign' ? [] : found.entries;
  return plan(desired, cluster, {
    target: run.target,
    defaultNamespace: run.namespace,
    fieldManager: 'kube-drift',
    concurrency: 4,
    ignoreRules: [],
    redactor: run.redactor,
    diffMode: 'server',
    inventory,
    ...more,
  });
}

export function options(run: Run, overrides: Partial<RemediateOptions> = {}): RemediateOptions {
  return {
    target: run.target,
    fieldManager: 'kube-drift',
    concurrency: 4,
    prune: false,
    wait: false,
    timeoutSeconds: 30,
    force: false,
    dryRun: false,
    maxDeletions: 25,
    inventoryNamespace: run.inventoryNamespace,
    suspend: false,
    skipUnhealthy: false,
    redactor: run.redactor,
    owner: run.owner,
    paths: ['inline'],
    ...overrides,
  };
}

export const quietHooks = { info: () => {}, warning: () => {} };

/** Plans and remediates once. */
export async function converge(
  run: Run,
  desired: DesiredObject[],
  cluster: ClusterObjects,
  overrides: Partial<RemediateOptions> = {},
): Promise<{ plan: Plan; result: RemediationResult }> {
  const planned = await planRun(run, desired, cluster);
  const result = await remediate(planned, cluster, options(run, overrides), quietHooks);
  return { plan: planned, result };
}

/** `Kind/ns/name action` lines, for assertions a reader can check at a glance. */
export function actions(changeSet: ChangeSet): string[] {
  return changeSet.entries.map((e) => `${e.ref.kind}/${e.ref.name} ${e.action}`).sort();
}

export function drifted(changeSet: ChangeSet): string[] {
  return changeSet.entries
    .filter((e) => e.action !== 'unchanged' && e.action !== 'skipped')
    .map((e) => `${e.ref.kind}/${e.ref.name} ${e.action}`)
    .sort();
}

export function assertNoDrift(changeSet: ChangeSet): void {
  const summary = summarize(changeSet);
  if (hasDrift(summary) || summary.errors > 0) {
    throw new Error(
      `expected no drift, found: ${drifted(changeSet).join(', ')}; errors: ${changeSet.errors.map((e) => e.message).join('; ')}\n${changeSet.entries
        .filter((e) => e.action !== 'unchanged')
        .map((e) => e.diff)
        .join('\n')}`,
    );
  }
}
