// Verifying each object that exists: by a server-side apply dry-run, or without one where the
// in-sync proof holds (proof.ts) and the settings allow it (verify, verify-kinds).

import type { ObjectRef, Verification } from '../model.ts';
import { type DryRunContext, type DryRunOutcome, dryRun, isPrediction, provenInSync } from './dryrun.ts';
import type { PlannedObject, PlanOptions } from './plan.ts';
import { proveInSync } from './proof.ts';

/** The dry-run, or the live object itself where the in-sync proof holds (proof.ts). */
export async function verify(
  p: PlannedObject,
  context: DryRunContext,
  options: PlanOptions,
): Promise<DryRunOutcome> {
  if (
    p.live &&
    options.diffMode !== 'client' &&
    (options.verify ?? 'auto') === 'auto' &&
    !alwaysDryRun(p.ref, options.verifyKinds) &&
    proveInSync({
      applyObject: p.applyObject,
      live: p.live,
      fieldManager: options.fieldManager,
      lists: context.lists,
    }).holds
  ) {
    p.verifiedBy = 'proof';
    return provenInSync(p, context);
  }
  const outcome = await dryRun(p, context);
  p.verifiedBy = isPrediction(outcome) && outcome.mode === 'client' ? 'client' : 'dry-run';
  return outcome;
}

/** `Kind` matches the kind in any group, `Kind.group` in that group only (`Secret.` the core group). */
export function alwaysDryRun(ref: Pick<ObjectRef, 'group' | 'kind'>, kinds: readonly string[] = []): boolean {
  return kinds.some((k) => k === ref.kind || k === `${ref.kind}.${ref.group}`);
}

export function verificationOf(planned: readonly PlannedObject[]): Verification | undefined {
  const counts: Verification = { dryRun: 0, proof: 0, clientSide: 0 };
  for (const p of planned) {
    if (p.verifiedBy === 'proof') counts.proof++;
    else if (p.verifiedBy === 'client') counts.clientSide++;
    else if (p.verifiedBy === 'dry-run') counts.dryRun++;
  }
  return counts.dryRun + counts.proof + counts.clientSide > 0 ? counts : undefined;
}
