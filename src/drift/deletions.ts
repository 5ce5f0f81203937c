// Finding deletions: what the target owns in the cluster that Git no longer has (selected by
// ownership.ts: inventory, owner labels, gone from Git), and what a Flux Kustomization's
// inventory (or an Argo CD Application's tracked resources) holds that left Git (previewed as
// Flux or Argo CD would prune it, never pruned here).

import { forEachLimited } from '../concurrency.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { identityOf, type KubeObject, type ObjectRef, refOf, subjectOf } from '../model.ts';
import { argoManaged, argoPruneSkip } from './argocd-optouts.ts';
import { deletedDiff } from './compare.ts';
import { fluxPruneSkip } from './flux-optouts.ts';
import { isSkipped } from './ignore.ts';
import { refOfLive } from './live.ts';
import { type LiveCandidate, selectDeletions } from './ownership.ts';
import type { FluxInventoryRef, PlannedDeletion, PlannedObject, PlanOptions } from './plan.ts';
import type { KindLookup } from './resolve.ts';

/** Flux inventory entries read at once. */
const READS_IN_FLIGHT = 8;

/** The target's own deletions: inventory entries that left Git and still carry the owner labels. */
export function findDeletions(
  planned: readonly Pick<PlannedObject, 'ref'>[],
  owned: ReadonlyMap<string, KubeObject>,
  kindOf: KindLookup,
  options: Pick<PlanOptions, 'target' | 'inventory' | 'leaveArgoCd'>,
): PlannedDeletion[] {
  const inGit = new Set(planned.map((p) => identityOf(p.ref)));
  const live: LiveCandidate[] = [...owned].map(([identity, object]) => ({ identity, object }));
  return selectDeletions(live, options.inventory ?? [], inGit, options.target).map(({ object }) => {
    const info = kindOf(refOf(object));
    const ref = info ? refOfLive(object, info) : refOf(object);
    const argo = options.leaveArgoCd ? argoManaged(object) : undefined;
    const skip = isSkipped(object);
    const entry = argo
      ? {
          ref,
          action: 'skipped' as const,
          changes: [],
          diff: '',
          note: argo.replace('not corrected', 'not pruned'),
        }
      : skip
        ? { ref, action: 'skipped' as const, changes: [], diff: '', note: `not pruned: ${skip}` }
        : { ref, action: 'deleted' as const, changes: [], diff: deletedDiff(object, subjectOf(ref)) };
    return { ref, live: object, origin: 'inventory', entry };
  });
}

/** Entries of Flux inventories that are neither in Git nor deleted already, resolved to served versions. */
export function fluxPruneCandidates(
  known: ReadonlySet<string>,
  fluxInventory: readonly FluxInventoryRef[],
  kindOf: KindLookup,
): { ref: ObjectRef; kustomization: string }[] {
  const wanted = new Map<string, { ref: ObjectRef; kustomization: string }>();
  for (const { kustomization, ...entry } of fluxInventory) {
    const info = kindOf(entry);
    if (!info) continue; // Its kind is gone from the server, and so is the object.
    const ref = {
      ...entry,
      version: info.versions.includes(entry.version) ? entry.version : info.versions[0],
      namespace: info.namespaced ? entry.namespace : null,
    };
    const key = identityOf(ref);
    if (!known.has(key) && !wanted.has(key)) wanted.set(key, { ref, kustomization });
  }
  return [...wanted.values()];
}

/** What Flux would do with a live object its Kustomization's inventory holds and Git no longer has. */
export function fluxDeletion(ref: ObjectRef, object: KubeObject, kustomization: string): PlannedDeletion {
  if (kustomization.startsWith('Application ')) return argoDeletion(ref, object, kustomization);
  const where = `in the Flux inventory of Kustomization ${kustomization}`;
  const skip = isSkipped(object) ?? fluxPruneSkip(object);
  const entry = skip
    ? {
        ref,
        action: 'skipped' as const,
        changes: [],
        diff: '',
        note: `${where}; Flux would not prune it: ${skip}`,
      }
    : {
        ref,
        action: 'deleted' as const,
        changes: [],
        diff: deletedDiff(object, subjectOf(ref)),
        note: `${where}; Flux would prune it`,
      };
  return { ref, live: object, origin: 'flux', entry };
}

/** What Argo CD would do with a live object an Application tracks (`application`: `Application ns/name`) and Git no longer has. */
function argoDeletion(ref: ObjectRef, object: KubeObject, application: string): PlannedDeletion {
  const where = `tracked by Argo CD ${application}`;
  const skip = isSkipped(object) ?? argoPruneSkip(object);
  const entry = skip
    ? {
        ref,
        action: 'skipped' as const,
        group: application,
        changes: [],
        diff: '',
        note: `${where}; Argo CD would not prune it: ${skip}`,
      }
    : {
        ref,
        action: 'deleted' as const,
        group: application,
        changes: [],
        diff: deletedDiff(object, subjectOf(ref)),
        note: `${where}; Argo CD would prune it`,
      };
  return { ref, live: object, origin: 'flux', entry };
}

/** Flux inventory entries that left Git and still exist: what Flux would prune. */
export async function findFluxPrunes(
  planned: readonly Pick<PlannedObject, 'ref'>[],
  found: readonly PlannedDeletion[],
  cluster: Pick<ClusterObjects, 'info' | 'get'>,
  fluxInventory: readonly FluxInventoryRef[],
): Promise<PlannedDeletion[]> {
  const known = new Set([...planned.map((p) => identityOf(p.ref)), ...found.map((d) => identityOf(d.ref))]);
  const deletions: PlannedDeletion[] = [];
  const candidates = fluxPruneCandidates(known, fluxInventory, cluster.info.bind(cluster));
  await forEachLimited(candidates, READS_IN_FLIGHT, async ({ ref, kustomization }) => {
    const object = await cluster.get(ref);
    if (object) deletions.push(fluxDeletion(ref, object, kustomization));
  });
  return deletions;
}
