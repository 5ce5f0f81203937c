// Prune: deletes what left Git, of kube-drift's own inventory entries only (the plan chose
// them: recorded, still labelled, gone from Git), in reverse apply order, never more than
// max-deletions, and only the very object the plan checked (a uid precondition).

import { isSkipped } from '../drift/ignore.ts';
import { hasOwnerLabels } from '../drift/ownership.ts';
import type { PlannedDeletion } from '../drift/plan.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { type ChangeSetEntry, type PlanError, subjectOf } from '../model.ts';
import type { Redactor } from '../redaction.ts';
import { describe } from './options.ts';
import type { OwnedObjects } from './owned.ts';

export interface PruneOptions {
  target: string;
  prune: boolean;
  dryRun: boolean;
  maxDeletions: number;
  redactor: Redactor;
}

export interface PruneSelection {
  /** Deletions to make, in the plan's order (reverse apply order). */
  toDelete: PlannedDeletion[];
  /** Deletions not made, with the entry each is reported with. */
  decided: Map<PlannedDeletion, ChangeSetEntry>;
  /** Why nothing is deleted at all, for the report's errors. */
  error?: string;
  /** True when deletions are left undone: drift remains. */
  remaining: boolean;
}

/** Which of the plan's deletions to make. Pure: the settings and the plan decide it. */
export function selectPrune(
  deletions: readonly PlannedDeletion[],
  options: Pick<PruneOptions, 'target' | 'prune' | 'maxDeletions'>,
): PruneSelection {
  const decided = new Map<PlannedDeletion, ChangeSetEntry>();
  const candidates: PlannedDeletion[] = [];
  for (const d of deletions) {
    if (d.entry.action !== 'deleted') decided.set(d, d.entry);
    // A Flux inventory's entries are Flux's to prune (an Argo CD Application's, Argo CD's): previewed, never deleted here.
    else if (d.origin === 'flux')
      decided.set(d, {
        ...d.entry,
        action: 'skipped',
        note: `${d.entry.note}; kube-drift never prunes what ${d.entry.group?.startsWith('Application ') ? 'Argo CD tracks' : 'Flux applied'}`,
      });
    else candidates.push(d);
  }
  const skipAll = (note: string): PruneSelection => {
    for (const d of candidates) decided.set(d, { ...d.entry, action: 'skipped', note });
    return { toDelete: [], decided, remaining: true };
  };
  if (candidates.length === 0) return { toDelete: [], decided, remaining: false };
  if (!options.prune) return skipAll('not pruned: prune is off');
  if (candidates.length > options.maxDeletions) {
    const list = candidates.map((d) => subjectOf(d.ref)).join(', ');
    return {
      ...skipAll(`not pruned: ${candidates.length} deletions exceed max-deletions (${options.maxDeletions})`),
      error: `prune would delete ${candidates.length} objects of target ${options.target}, more than max-deletions (${options.maxDeletions}); nothing was deleted: ${list}. Raise max-deletions if this is intended.`,
    };
  }
  return { toDelete: candidates, decided, remaining: false };
}

/**
 * Makes the selected deletions, one at a time (webhooks before what they guard), each only
 * after reading the object again. Entries go into `results`; returns true when drift remains.
 */
export async function prune(
  selection: PruneSelection,
  cluster: ClusterObjects,
  options: PruneOptions,
  results: { set(deletion: PlannedDeletion, entry: ChangeSetEntry): unknown },
  owned: OwnedObjects,
  errors: PlanError[],
  hooks: { info(message: string): void },
): Promise<boolean> {
  for (const [d, entry] of selection.decided) results.set(d, entry);
  if (selection.error) errors.push({ message: selection.error });
  let remaining = selection.remaining;
  for (const d of selection.toDelete) {
    try {
      const outcome = await deleteOne(d, cluster, options, owned);
      results.set(d, outcome.entry);
      if (outcome.remaining) remaining = true;
      else if (outcome.entry.action === 'deleted') hooks.info(`deleted ${subjectOf(d.ref)}`);
    } catch (error) {
      errors.push({ message: options.redactor.redact(describe(error)), object: subjectOf(d.ref) });
      remaining = true;
    }
  }
  return remaining;
}

async function deleteOne(
  d: PlannedDeletion,
  cluster: ClusterObjects,
  options: PruneOptions,
  owned: OwnedObjects,
): Promise<{ entry: ChangeSetEntry; remaining: boolean }> {
  const skipped = (note: string, remaining = false) => ({
    entry: { ...d.entry, action: 'skipped' as const, note },
    remaining,
  });
  const live = await cluster.get(d.ref);
  if (!live) {
    owned.delete(d.ref);
    return skipped('not pruned: already gone');
  }
  if (!hasOwnerLabels(live, options.target)) {
    owned.delete(d.ref);
    return skipped(`not pruned: it no longer carries the owner labels of target ${options.target}`);
  }
  const skipReason = isSkipped(live);
  if (skipReason) return skipped(`not pruned: ${skipReason}`);
  if (options.dryRun) return { entry: { ...d.entry, note: 'dry run: would be deleted' }, remaining: true };
  // The object the plan checked, and no other: deleted only while it keeps that uid, and
  // unchanged since this check.
  const uid = d.live.metadata.uid as string | undefined;
  const preconditions = { ...(uid ? { uid } : {}), resourceVersion: live.metadata.resourceVersion };
  try {
    await cluster.delete(d.ref, 'Background', preconditions);
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    const now =
      live.metadata.uid === uid
        ? "it changed since it was checked (the delete's resourceVersion precondition failed)"
        : "it was deleted and created again since the plan (the delete's uid precondition failed)";
    return skipped(`not pruned: ${now}; the next run checks it again`, true);
  }
  owned.delete(d.ref);
  return { entry: d.entry, remaining: false };
}
