// Verifying each object that exists: by a server-side apply dry-run, or without one where the
// in-sync proof holds (proof.ts) and the settings allow it (verify, verify-kinds). In client
// mode the proof decides what it can, and an object it cannot decide is not verifiable.

import type { ObjectRef, Verification } from '../model.ts';
import { type DryRunContext, type DryRunOutcome, dryRun, isPrediction, provenInSync } from './dryrun.ts';
import { isKnownController } from './managers.ts';
import type { PlannedObject, PlanOptions } from './plan.ts';
import { differences, type ProofInput, proveInSync } from './proof.ts';

/** What verifying gave: a dry-run's outcome (or the proof's), or no verdict without a dry-run. */
export type Verified = DryRunOutcome | { kind: 'not-verifiable'; reason: string };

/** The dry-run, or the live object itself where the in-sync proof holds (proof.ts). */
export async function verify(
  p: PlannedObject,
  context: DryRunContext,
  options: PlanOptions,
): Promise<Verified> {
  const proving =
    p.live && (options.verify ?? 'auto') === 'auto' && !alwaysDryRun(p.ref, options.verifyKinds);
  const input: ProofInput | undefined =
    proving && p.live
      ? { applyObject: p.applyObject, live: p.live, fieldManager: options.fieldManager, lists: context.lists }
      : undefined;
  if (input && options.diffMode === 'client') return verifyWithoutServer(p, input, context);
  if (input && proveInSync(input).holds) {
    p.verifiedBy = 'proof';
    return provenInSync(p, context, 'server');
  }
  if (p.live) options.onDryRun?.(p.ref);
  const outcome = await dryRun(p, context);
  p.verifiedBy = isPrediction(outcome) && outcome.mode === 'client' ? 'client' : 'dry-run';
  return outcome;
}

/**
 * Client mode: in sync where the proof holds (exact); drift where applying Git surely changes a
 * field (the client-side prediction shows it); otherwise no verdict: a default or a stored form
 * only the server knows may explain the difference, and reporting it as drift would be a guess.
 */
async function verifyWithoutServer(
  p: PlannedObject,
  input: ProofInput,
  context: DryRunContext,
): Promise<Verified> {
  const found = differences(input);
  if (found.length === 0) {
    p.verifiedBy = 'proof';
    return provenInSync(p, context, 'client');
  }
  if (!found.some((d) => d.certain)) {
    p.verifiedBy = 'not-verifiable';
    const first = found[0];
    return { kind: 'not-verifiable', reason: first.pointer ? `${first.pointer}: ${first.why}` : first.why };
  }
  p.verifiedBy = 'client';
  return dryRun(p, context);
}

/**
 * The order objects are planned in: first those a manager other than `fieldManager` has written
 * to (not a controller: someone's kubectl, another tool) and those to create. Their proofs likely
 * fail, and their dry-runs then run on the server while the rest are proved, where in Git's
 * order the last of them went out only after most proofs. Only the order of the work changes:
 * the plan reports in Git's order.
 */
export function planOrder(planned: readonly PlannedObject[], fieldManager: string): PlannedObject[] {
  const first: PlannedObject[] = [];
  const rest: PlannedObject[] = [];
  for (const p of planned) (writtenByOthers(p, fieldManager) ? first : rest).push(p);
  return [...first, ...rest];
}

function writtenByOthers(p: PlannedObject, fieldManager: string): boolean {
  if (!p.live) return true;
  const entries = p.live.metadata.managedFields;
  return (
    Array.isArray(entries) &&
    entries.some((e) => e.manager !== fieldManager && !isKnownController(e.manager ?? ''))
  );
}

/** `Kind` matches the kind in any group, `Kind.group` in that group only (`Secret.` the core group). */
export function alwaysDryRun(ref: Pick<ObjectRef, 'group' | 'kind'>, kinds: readonly string[] = []): boolean {
  return kinds.some((k) => k === ref.kind || k === `${ref.kind}.${ref.group}`);
}

export function verificationOf(planned: readonly PlannedObject[]): Verification | undefined {
  const counts: Verification = { dryRun: 0, proof: 0, clientSide: 0, notVerifiable: 0 };
  for (const p of planned) {
    if (p.verifiedBy === 'proof') counts.proof++;
    else if (p.verifiedBy === 'client') counts.clientSide++;
    else if (p.verifiedBy === 'dry-run') counts.dryRun++;
    else if (p.verifiedBy === 'not-verifiable') counts.notVerifiable++;
  }
  return counts.dryRun + counts.proof + counts.clientSide + counts.notVerifiable > 0 ? counts : undefined;
}
