// Whether a plan may be applied. An object whose dry-run failed has a way through only for a
// typed reason read from the API server's Status: fields changed by hand that taking over
// resolves, or an immutable field with force. Any other failure (forbidden, an admission
// denial, invalid, an immutable field without force) refuses the whole apply.

import { takeoverMatcher } from '../drift/managers.ts';
import type { Plan, PlannedObject } from '../drift/plan.ts';
import { describeRefusal } from '../kube/refusal.ts';
import { type PlanError, subjectOf } from '../model.ts';
import { takeoverPatch } from './takeover.ts';

/** How an object whose dry-run failed still gets applied. */
export type Recovery =
  /** Take over the fields people changed by hand, then apply: the conflict is gone. */
  | { kind: 'takeover' }
  /** Delete and recreate (force): these immutable fields change. */
  | { kind: 'recreate'; fields: string[] };

export interface PlanVerdict {
  recoveries: Map<PlannedObject, Recovery>;
  /** The plan's errors that no recovery covers: any one refuses the apply. */
  errors: PlanError[];
  /** Why the apply is refused, for every entry's note; undefined when it may go ahead. */
  refusal?: string;
}

export interface VerdictOptions {
  force: boolean;
  dryRun: boolean;
  fieldManager: string;
  /** Managers whose fields are taken over (the takeover-managers setting). */
  takeoverManagers?: readonly string[];
}

export function recoveryOf(p: PlannedObject, options: VerdictOptions): Recovery | undefined {
  if (!p.error || !p.refusal || !p.live) return undefined;
  switch (p.refusal.kind) {
    case 'immutable':
      return options.force ? { kind: 'recreate', fields: p.refusal.fields } : undefined;
    case 'field-conflict':
      // A dry-run cannot show a takeover, so a dry run leaves it an error.
      return !options.dryRun &&
        takeoverPatch(p.live, options.fieldManager, takeoverMatcher(options.takeoverManagers))
        ? { kind: 'takeover' }
        : undefined;
    default:
      return undefined;
  }
}

export function planVerdict(plan: Plan, options: VerdictOptions): PlanVerdict {
  const recoveries = new Map<PlannedObject, Recovery>();
  const failed = new Map<string, PlannedObject>();
  for (const p of plan.objects) {
    if (!p.error) continue;
    const recovery = recoveryOf(p, options);
    if (recovery) recoveries.set(p, recovery);
    else failed.set(errorKey(p.error), p);
  }
  const recovered = new Set([...recoveries.keys()].map((p) => errorKey(p.error!)));
  const errors = plan.changeSet.errors
    .filter((e) => !recovered.has(errorKey(e)))
    .map((e) => {
      const p = failed.get(errorKey(e));
      if (p?.refusal?.kind !== 'immutable') return e;
      const fields = p.refusal.fields;
      const named = fields.length > 0 ? `immutable field ${fields.join(', ')}` : 'an immutable field';
      return {
        ...e,
        message: `${subjectOf(p.ref)}: ${named} cannot be changed in place (the API server refuses the change). Set force to delete and recreate it, or change it back in Git.`,
      };
    });
  if (errors.length === 0) return { recoveries, errors };
  const reasons = errors.slice(0, 3).map((e) => {
    const p = failed.get(errorKey(e));
    return p?.refusal ? `${e.object}: ${describeRefusal(p.refusal)}` : (e.object ?? e.file ?? 'the input');
  });
  const more = errors.length > 3 ? `, and ${errors.length - 3} more` : '';
  const refusal = `not applied: the plan has ${errors.length} error${errors.length === 1 ? '' : 's'} (${reasons.join('; ')}${more}), and nothing is applied from a plan that could not check everything; fix ${errors.length === 1 ? 'it' : 'them'} and run again`;
  return { recoveries, errors, refusal };
}

/** The plan's change set holds redacted copies of each object's error: match them by place. */
function errorKey(e: PlanError): string {
  return `${e.object ?? ''}|${e.file ?? ''}|${e.line ?? ''}`;
}
