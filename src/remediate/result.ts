// The change set remediation reports: every planned object and deletion gets an entry, as
// done, as left alone (with why), or as not reached when the run stopped early.

import type { Plan, PlannedDeletion, PlannedObject } from '../drift/plan.ts';
import type { ChangeSetEntry, PlanError } from '../model.ts';
import type { RemediationResult } from './options.ts';

/** Nothing applied: every entry with drift becomes skipped, with `note` saying why. */
export function refusedResult(
  plan: Plan,
  target: string,
  note: string,
  errors: PlanError[],
  notes: string[],
): RemediationResult {
  const entries = [
    ...plan.objects.filter((p) => !p.error).map((p) => p.entry),
    ...plan.deletions.map((d) => d.entry),
  ];
  return {
    changeSet: {
      target,
      entries: entries.map((e) =>
        e.action === 'skipped'
          ? e
          : { ...e, action: 'skipped' as const, note: e.note ? `${note}; ${e.note}` : note },
      ),
      errors,
      ...(notes.length > 0 ? { notes } : {}),
    },
    unhealthy: [],
    driftRemaining: true,
  };
}

/**
 * The entries in plan order; a failed object has its error instead. An object with neither was not reached
 * because the run stopped early: it is said so rather than left out (`stoppedWithDrift` is
 * true when one of those had drift).
 */
export function collectEntries(
  applied: readonly PlannedObject[],
  deletions: readonly PlannedDeletion[],
  results: ReadonlyMap<PlannedObject | PlannedDeletion, ChangeSetEntry>,
  failed: ReadonlySet<PlannedObject>,
): { entries: ChangeSetEntry[]; stoppedWithDrift: boolean } {
  const entries: ChangeSetEntry[] = [];
  let stoppedWithDrift = false;
  for (const p of applied) {
    const entry = results.get(p);
    if (entry) entries.push(entry);
    else if (!failed.has(p)) {
      entries.push({
        ...p.entry,
        action: 'skipped',
        note: 'not applied: the run stopped before reaching it',
      });
      if (p.entry.action !== 'unchanged' && p.entry.action !== 'skipped') stoppedWithDrift = true;
    }
  }
  for (const d of deletions) {
    entries.push(
      results.get(d) ?? {
        ...d.entry,
        action: 'skipped',
        note: 'not pruned: the run stopped before reaching it',
      },
    );
  }
  return { entries, stoppedWithDrift };
}
