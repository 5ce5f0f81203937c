// What Flux applied for each Kustomization, from its `.status.inventory` in the cluster:
// the objects kustomize-controller would prune when they leave Git.
import type { ObjectRef } from '../model.ts';
import type { ClusterObjects } from './objects.ts';

const KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';

/** One inventory entry, and the Kustomization (`namespace/name`) whose inventory lists it. */
export interface FluxInventoryEntry extends ObjectRef {
  kustomization: string;
}

/**
 * Reads one entry of a Flux inventory: `id` is Flux's object metadata id,
 * `<namespace>_<name>_<group>_<kind>` (namespace and group empty where there is none),
 * `v` the version. Returns undefined for an entry in another shape.
 */
export function parseInventoryEntry(entry: { id?: unknown; v?: unknown }): ObjectRef | undefined {
  if (typeof entry.id !== 'string') return undefined;
  const parts = entry.id.split('_');
  // Names, groups and kinds cannot hold `_`, so a well-formed id has exactly four parts.
  if (parts.length !== 4) return undefined;
  const [namespace, name, group, kind] = parts;
  if (!name || !kind) return undefined;
  return {
    group,
    version: typeof entry.v === 'string' ? entry.v : '',
    kind,
    namespace: namespace || null,
    name,
  };
}

/**
 * The inventory entries of the given Kustomizations, as they are in the cluster now.
 * Kustomizations the cluster does not have (or a cluster without Flux's CRDs) add nothing.
 */
export async function readFluxInventory(
  cluster: ClusterObjects,
  kustomizations: { namespace: string; name: string }[],
): Promise<FluxInventoryEntry[]> {
  const info = cluster.info({ group: KUSTOMIZE_GROUP, kind: 'Kustomization' });
  if (!info || kustomizations.length === 0) return [];
  const entries: FluxInventoryEntry[] = [];
  for (const { namespace, name } of kustomizations) {
    const live = await cluster.get({
      group: KUSTOMIZE_GROUP,
      version: info.versions[0],
      kind: 'Kustomization',
      namespace,
      name,
    });
    const inventory = (
      live?.status as { inventory?: { entries?: { id?: unknown; v?: unknown }[] } } | undefined
    )?.inventory;
    for (const entry of inventory?.entries ?? []) {
      const ref = parseInventoryEntry(entry);
      if (ref) entries.push({ ...ref, kustomization: `${namespace}/${name}` });
    }
  }
  return entries;
}
