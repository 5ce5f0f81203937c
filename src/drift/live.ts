// Reading live state: what the target owns comes in one cluster-wide list per kind (needed
// anyway to find deletions); the rest in one list per kind and namespace where several
// objects share them, else one GET each.

import { forEachLimited } from '../concurrency.ts';
import type { ResourceInfo } from '../kube/discovery.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { identityOf, type KubeObject, type ObjectRef, refOf } from '../model.ts';
import { ownerSelector } from './ownership.ts';
import type { PlannedObject, PlanOptions } from './plan.ts';

export interface LiveState {
  /** Everything the target's owner labels mark, of the kinds in Git or in the inventory: identity → object (candidates only). */
  owned: Map<string, KubeObject>;
  /** The live object of each planned object that exists, by identity. */
  objects: Map<string, KubeObject>;
}

type LiveCluster = Pick<ClusterObjects, 'info' | 'get' | 'list'>;

/** Several objects of one kind in one namespace are read with one list call, from this many on. */
const LIST_THRESHOLD = 3;
/** Reads in flight at once; the client bounds requests again, so this only keeps the queue short. */
const READS_IN_FLIGHT = 16;
const LISTS_IN_FLIGHT = 8;

export async function readLiveState(
  planned: readonly PlannedObject[],
  cluster: LiveCluster,
  options: Pick<PlanOptions, 'target' | 'inventory'>,
): Promise<LiveState> {
  const owned = await listOwned(planned, cluster, options);
  const objects = new Map<string, KubeObject>();
  const unread: PlannedObject[] = [];
  for (const p of planned) {
    if (p.kindPending) continue;
    const object = owned.get(identityOf(p.ref));
    // The owner list read one version of the kind; an object Git names in another is read as Git names it.
    if (object && object.apiVersion === apiVersionOf(p.ref)) objects.set(identityOf(p.ref), object);
    else unread.push(p);
  }
  for (const [identity, object] of await readEach(unread, cluster)) objects.set(identity, object);
  return { owned, objects };
}

async function readEach(planned: PlannedObject[], cluster: LiveCluster): Promise<Map<string, KubeObject>> {
  const groups = new Map<string, PlannedObject[]>();
  for (const p of planned) {
    const key = `${p.ref.group}|${p.ref.version}|${p.ref.kind}|${p.ref.namespace ?? ''}`;
    const list = groups.get(key);
    if (list) list.push(p);
    else groups.set(key, [p]);
  }
  const found = new Map<string, KubeObject>();
  const tasks: (() => Promise<void>)[] = [];
  for (const members of groups.values()) {
    const first = members[0].ref;
    const info = cluster.info(first) as ResourceInfo;
    if (members.length >= LIST_THRESHOLD) {
      tasks.push(async () => {
        const wanted = new Set(members.map((m) => identityOf(m.ref)));
        for (const object of await cluster.list(info, first.version, first.namespace)) {
          const key = identityOf(refOfLive(object, info));
          if (wanted.has(key)) found.set(key, object);
        }
      });
    } else {
      for (const m of members) {
        tasks.push(async () => {
          const object = await cluster.get(m.ref);
          if (object) found.set(identityOf(m.ref), object);
        });
      }
    }
  }
  await forEachLimited(tasks, READS_IN_FLIGHT, (task) => task());
  return found;
}

async function listOwned(
  planned: readonly PlannedObject[],
  cluster: LiveCluster,
  options: Pick<PlanOptions, 'target' | 'inventory'>,
): Promise<Map<string, KubeObject>> {
  const kinds = ownedKinds([...planned.map((p) => p.ref), ...(options.inventory ?? [])], cluster);
  const selector = ownerSelector(options.target);
  const candidates = new Map<string, KubeObject>();
  await forEachLimited(kinds, LISTS_IN_FLIGHT, async ({ info, version }) => {
    for (const object of await cluster.list(info, version, null, selector)) {
      candidates.set(identityOf(refOfLive(object, info)), object);
    }
  });
  return candidates;
}

/** The kinds whose objects with the target's owner labels the plan lists: one version each, the first ref's. */
function ownedKinds(
  refs: readonly ObjectRef[],
  cluster: Pick<LiveCluster, 'info'>,
): { info: ResourceInfo; version: string }[] {
  const kinds = new Map<string, { info: ResourceInfo; version: string }>();
  for (const ref of refs) {
    const info = cluster.info(ref);
    if (info?.verbs.includes('list') && !kinds.has(`${info.group}|${info.kind}`)) {
      kinds.set(`${info.group}|${info.kind}`, {
        info,
        version: info.versions.includes(ref.version) ? ref.version : info.versions[0],
      });
    }
  }
  return [...kinds.values()];
}

/**
 * Starts the owner-label lists of the kinds a target's inventory records, while the run
 * renders: the plan lists them again (readLiveState) and takes these answers, as long as Git
 * names each kind in the version recorded (else the plan lists its own, and this one is unused).
 */
export function readAheadOwned(
  inventory: readonly ObjectRef[],
  cluster: Pick<ClusterObjects, 'info' | 'readAheadList'>,
  target: string,
): void {
  const selector = ownerSelector(target);
  for (const { info, version } of ownedKinds(inventory, cluster))
    cluster.readAheadList(info, version, null, selector);
}

/** The ref of a listed object; a cluster-wide kind has no namespace whatever the object says. */
export function refOfLive(object: KubeObject, info: Pick<ResourceInfo, 'namespaced'>): ObjectRef {
  const ref = refOf(object);
  if (!info.namespaced) ref.namespace = null;
  return ref;
}

function apiVersionOf(ref: Pick<ObjectRef, 'group' | 'version'>): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}
