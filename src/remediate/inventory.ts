// The inventory: what kube-drift applied for a target, kept in the cluster as a ConfigMap
// `kube-drift-inventory-<target>` whose `entries` key holds `group|version|kind|namespace|name`
// lines as a JSON list, with the owner that applied them (`owner`) and the paths it rendered
// (`paths`). Prune deletes only its entries, and only for the same owner. A large target's
// entries are kept gzipped under `binaryData` instead (`entries.gz`), below the 1 MiB a
// ConfigMap may hold, and `entries` then says so: it is written on every apply, so it always
// tells which form is current (a `binaryData` left by another field manager is never read).

import { gunzipSync, gzipSync } from 'node:zlib';
import { KubeApiError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { identityOf, type KubeObject, type ObjectRef } from '../model.ts';

export const INVENTORY_KEY = 'entries';
export const OWNER_KEY = 'owner';
export const PATHS_KEY = 'paths';
export const COMPRESSED_INVENTORY_KEY = 'entries.gz';

/**
 * Above this many bytes the entries are written gzipped (`binaryData`, `entries.gz`). The API
 * server refuses a ConfigMap over 1 MiB, and an entry takes about 50 bytes: plain entries reach
 * the limit near 20,000 objects. Sorted entries gzip to a tenth or less. Small inventories stay
 * plain, readable with `kubectl get configmap -o yaml`.
 */
export const PLAIN_INVENTORY_LIMIT = 256 * 1024;
/** `entries` of an inventory whose entries are in `binaryData`: not JSON, so older versions read no entries (and prune nothing). */
export const COMPRESSED_MARKER = `gzip: binaryData ${COMPRESSED_INVENTORY_KEY}`;

/** A target's inventory as read from the cluster. */
export interface Inventory {
  /** What the target applied and has not deleted since. */
  entries: ObjectRef[];
  /** Who applied them; undefined when there is no inventory yet, or it was written before owners were recorded. */
  owner?: string;
  /** The paths that owner rendered, as it last applied them. */
  paths: string[];
  /** False when the target has no inventory (or it may not be read). */
  found: boolean;
}

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
 * The target's inventory: not found when there is none yet, when its namespace is missing,
 * or when reading it is forbidden (a read-only preview need not see it).
 */
export async function readInventory(
  cluster: ClusterObjects,
  target: string,
  namespace: string,
): Promise<Inventory> {
  const none: Inventory = { entries: [], paths: [], found: false };
  try {
    const configMap = await cluster.get({ ...CONFIGMAP, namespace, name: inventoryName(target) });
    if (!configMap) return none;
    const data = (configMap.data ?? {}) as Record<string, string>;
    const binary = (configMap.binaryData ?? {}) as Record<string, string>;
    return {
      entries: decodeInventory(
        data[INVENTORY_KEY] === COMPRESSED_MARKER
          ? gunzipText(binary[COMPRESSED_INVENTORY_KEY] ?? '')
          : data[INVENTORY_KEY],
      ),
      owner: data[OWNER_KEY] || undefined,
      paths: decodePaths(data[PATHS_KEY]),
      found: true,
    };
  } catch (error) {
    if (error instanceof KubeApiError && (error.status === 403 || error.status === 404)) return none;
    throw error;
  }
}

/** The text of gzipped, base64 entries; undefined (no entries) when they are not that. */
function gunzipText(base64: string): string | undefined {
  try {
    return gunzipSync(Buffer.from(base64, 'base64')).toString('utf8');
  } catch {
    return undefined;
  }
}

function decodePaths(text: string | undefined): string[] {
  try {
    const parsed: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/** Who writes the inventory: the owner and the paths it rendered. */
export interface InventoryOwner {
  owner: string;
  paths: string[];
}

/** Writes the inventory (server-side apply), creating its namespace when missing. */
export async function writeInventory(
  cluster: ClusterObjects,
  target: string,
  namespace: string,
  refs: Iterable<ObjectRef>,
  writer: InventoryOwner,
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
    data: {
      [OWNER_KEY]: writer.owner,
      [PATHS_KEY]: JSON.stringify([...writer.paths].sort()),
    },
  };
  // One form or the other; server-side apply removes what this manager set before and no longer sets.
  const entries = encodeInventory(refs);
  const data = configMap.data as Record<string, string>;
  if (Buffer.byteLength(entries) > PLAIN_INVENTORY_LIMIT) {
    data[INVENTORY_KEY] = COMPRESSED_MARKER;
    configMap.binaryData = { [COMPRESSED_INVENTORY_KEY]: gzipSync(entries).toString('base64') };
  } else data[INVENTORY_KEY] = entries;
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
