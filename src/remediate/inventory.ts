// The inventory: what kube-drift applied for a target, kept in the cluster as a ConfigMap
// `kube-drift-inventory-<target>` whose `entries` key holds `group|version|kind|namespace|name`
// lines as a JSON list. Prune reads it (with the owner labels) to know what it may delete.

import { KubeApiError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { identityOf, type KubeObject, type ObjectRef } from '../model.ts';

export const INVENTORY_KEY = 'entries';
/**
 * Marks the inventory itself. Not the owner labels: those would make the inventory an object
 * the target applied, and prune would find it missing from Git.
 */
export const INVENTORY_LABEL = 'kube-drift.dev/inventory-of';

/** A ConfigMap name for the target: DNS-1123, at most 253 characters. */
export function inventoryName(target: string): string {
  const safe = target
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return `kube-drift-inventory-${safe || 'default'}`.slice(0, 253).replace(/[^a-z0-9]+$/, '');
}

export function encodeEntry(ref: ObjectRef): string {
  return [ref.group, ref.version, ref.kind, ref.namespace ?? '', ref.name].join('|');
}

export function decodeEntry(line: string): ObjectRef | undefined {
  const parts = line.split('|');
  if (parts.length !== 5 || !parts[1] || !parts[2] || !parts[4]) return undefined;
  const [group, version, kind, namespace, name] = parts;
  return { group, version, kind, namespace: namespace === '' ? null : namespace, name };
}

/** Sorted, one entry per object identity (the last version seen wins). */
export function encodeInventory(refs: Iterable<ObjectRef>): string {
  const byIdentity = new Map<string, ObjectRef>();
  for (const ref of refs) byIdentity.set(identityOf(ref), ref);
  return JSON.stringify([...byIdentity.values()].map(encodeEntry).sort());
}

export function decodeInventory(text: string | undefined): ObjectRef[] {
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((line) => {
    const ref = typeof line === 'string' ? decodeEntry(line) : undefined;
    return ref ? [ref] : [];
  });
}

const CONFIGMAP: ObjectRef = { group: '', version: 'v1', kind: 'ConfigMap', namespace: null, name: '' };

/**
 * The refs the target's inventory holds: [] when there is none yet, when its namespace is
 * missing, or when reading it is forbidden (a read-only preview need not see it).
 */
export async function readInventory(
  cluster: ClusterObjects,
  target: string,
  namespace: string,
): Promise<ObjectRef[]> {
  try {
    const configMap = await cluster.get({ ...CONFIGMAP, namespace, name: inventoryName(target) });
    const data = configMap?.data as Record<string, string> | undefined;
    return decodeInventory(data?.[INVENTORY_KEY]);
  } catch (error) {
    if (error instanceof KubeApiError && (error.status === 403 || error.status === 404)) return [];
    throw error;
  }
}

/** Writes the inventory (server-side apply), creating its namespace when missing. */
export async function writeInventory(
  cluster: ClusterObjects,
  target: string,
  namespace: string,
  refs: Iterable<ObjectRef>,
  fieldManager: string,
): Promise<void> {
  const configMap: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: inventoryName(target),
      namespace,
      labels: {
        [INVENTORY_LABEL]: inventoryName(target)
          .slice('kube-drift-inventory-'.length)
          .slice(0, 63)
          .replace(/[^a-z0-9]+$/, ''),
      },
    },
    data: { [INVENTORY_KEY]: encodeInventory(refs) },
  };
  const ref = { ...CONFIGMAP, namespace, name: configMap.metadata.name };
  try {
    await cluster.apply(configMap, ref, { fieldManager, force: true, dryRun: false });
  } catch (error) {
    if (!(error instanceof KubeApiError && error.notFound)) throw error;
    await ensureNamespace(cluster, namespace, fieldManager);
    await cluster.apply(configMap, ref, { fieldManager, force: true, dryRun: false });
  }
}

export async function ensureNamespace(
  cluster: ClusterObjects,
  namespace: string,
  fieldManager: string,
): Promise<void> {
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
  await cluster.apply(
    ns,
    { group: '', version: 'v1', kind: 'Namespace', namespace: null, name: namespace },
    {
      fieldManager,
      force: false,
      dryRun: false,
    },
  );
}
