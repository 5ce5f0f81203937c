// Prune: deletes what left Git, of kube-drift's own inventory entries only (the plan chose
// them: recorded, still labelled, gone from Git), in reverse apply order, never more than
// max-deletions, and only the very object the plan checked (a uid precondition).

import { isSkipped } from '../drift/ignore.ts';
import { hasOwnerLabels } from '../drift/ownership.ts';
import type { PlannedDeletion, PlannedObject } from '../drift/plan.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { type ChangeSetEntry, identityOf, type ObjectRef, type PlanError, subjectOf } from '../model.ts';
import type { Redactor } from '../redaction.ts';

export interface PruneOptions {
  target: string;
  prune: boolean;
  dryRun: boolean;
  maxDeletions: number;
  redactor: Redactor;
}

/** Deletes what left Git; returns true when drift remains (deletions not made). */
export async function prune(
  deletions: PlannedDeletion[],
  cluster: ClusterObjects,
  options: PruneOptions,
  results: Map<PlannedObject | PlannedDeletion, ChangeSetEntry>,
  owned: Map<string, ObjectRef>,
  errors: PlanError[],
  hooks: { info(message: string): void },
): Promise<boolean> {
  const candidates = deletions.filter((d) => {
    if (d.entry.action === 'deleted') return true;
    results.set(d, d.entry);
    return false;
  });
  if (candidates.length === 0) return false;
  if (!options.prune) {
    for (const d of candidates)
      results.set(d, { ...d.entry, action: 'skipped', note: 'not pruned: prune is off' });
    return true;
  }
  if (candidates.length > options.maxDeletions) {
    const list = candidates.map((d) => subjectOf(d.ref)).join(', ');
    errors.push({
      message: `prune would delete ${candidates.length} objects of target ${options.target}, more than max-deletions (${options.maxDeletions}); nothing was deleted: ${list}. Raise max-deletions if this is intended.`,
    });
    for (const d of candidates) {
      results.set(d, {
        ...d.entry,
        action: 'skipped',
        note: `not pruned: ${candidates.length} deletions exceed max-deletions (${options.maxDeletions})`,
      });
    }
    return true;
  }
  let remaining = false;
  // In reverse apply order (the plan sorted them), one at a time: webhooks before what they guard.
  for (const d of candidates) {
    try {
      const live = await cluster.get(d.ref);
      if (!live) {
        owned.delete(identityOf(d.ref));
        results.set(d, { ...d.entry, action: 'skipped', note: 'not pruned: already gone' });
        continue;
      }
      if (!hasOwnerLabels(live, options.target)) {
        results.set(d, {
          ...d.entry,
          action: 'skipped',
          note: `not pruned: it no longer carries the owner labels of target ${options.target}`,
        });
        owned.delete(identityOf(d.ref));
        continue;
      }
      const skipReason = isSkipped(live);
      if (skipReason) {
        results.set(d, { ...d.entry, action: 'skipped', note: `not pruned: ${skipReason}` });
        continue;
      }
      if (options.dryRun) {
        results.set(d, { ...d.entry, note: 'dry run: would be deleted' });
        remaining = true;
        continue;
      }
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
        results.set(d, {
          ...d.entry,
          action: 'skipped',
          note: `not pruned: ${now}; the next run checks it again`,
        });
        remaining = true;
        continue;
      }
      owned.delete(identityOf(d.ref));
      hooks.info(`deleted ${subjectOf(d.ref)}`);
      results.set(d, d.entry);
    } catch (error) {
      errors.push({ message: options.redactor.redact(describe(error)), object: subjectOf(d.ref) });
      remaining = true;
    }
  }
  return remaining;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
