// Remediation: make the cluster match the plan, as Flux's kustomize-controller does. This file
// only orders the verbs, each in a file of its own: the claim on the target (inventory.ts),
// the verdict on the plan (verdict.ts), what to do per object (decide.ts), staged apply with
// takeover (apply.ts), prune (prune.ts), health waits (wait.ts) and the inventory (owned.ts).

import { compareForApply } from '../drift/order.ts';
import { hasOwnerLabels } from '../drift/ownership.ts';
import type { Plan } from '../drift/plan.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import type { PlanError } from '../model.ts';
import { type ApplyState, applyStages } from './apply.ts';
import { decide } from './decide.ts';
import { claimNote, claimOf, foreignOwnerMessage, type Inventory, readInventory } from './inventory.ts';
import {
  describe,
  type RemediateHooks,
  type RemediateOptions,
  type RemediationResult,
  type UnhealthyObject,
} from './options.ts';
import { OwnedObjects } from './owned.ts';
import { prune, selectPrune } from './prune.ts';
import { collectEntries, refusedResult } from './result.ts';
import { planVerdict } from './verdict.ts';
import { waitHealthy } from './wait.ts';

export { stageOf } from './apply.ts';
export type { RemediateHooks, RemediateOptions, RemediationResult, UnhealthyObject } from './options.ts';

/**
 * Converges the cluster to the plan. The caller holds the target's Lease (acquireLease) so
 * that two runs never apply at once.
 */
export async function remediate(
  plan: Plan,
  cluster: ClusterObjects,
  options: RemediateOptions,
  hooks: RemediateHooks,
): Promise<RemediationResult> {
  const redact = (text: string) => options.redactor.redact(text);
  const notes: string[] = [];
  const refused = (note: string, errors: PlanError[]) =>
    refusedResult(plan, options.target, note, errors, notes);

  // Ownership first: nothing is written for a target that another owner's inventory holds.
  let previous: Inventory;
  try {
    previous = await readInventory(cluster, options.target, options.inventoryNamespace);
  } catch (error) {
    const message = redact(`reading the inventory of target ${options.target}: ${describe(error)}`);
    return refused('not applied: the inventory could not be read', [...plan.changeSet.errors, { message }]);
  }
  const claim = claimOf(previous, options.owner);
  if (claim.kind === 'foreign') {
    const message = foreignOwnerMessage(options.target, claim.owner, options.owner);
    const note = `not applied: target ${options.target} belongs to ${claim.owner}`;
    return refused(note, [...plan.changeSet.errors, { message }]);
  }
  if (claim.kind === 'unowned') notes.push(claimNote(options.target, options.owner, options.dryRun));

  // Nothing is applied from a plan that could not check everything (a Deployment without
  // the ConfigMap it needs is worse than no change), except failed dry-runs with a typed way
  // through: see verdict.ts.
  const verdict = planVerdict(plan, options);
  const refusal = options.suspend ? `remediation of target ${options.target} is suspended` : verdict.refusal;
  if (refusal) {
    const plannedDrift = plan.changeSet.entries.some(
      (e) => e.action !== 'unchanged' && e.action !== 'skipped',
    );
    return { ...refused(refusal, verdict.errors), driftRemaining: plannedDrift || verdict.errors.length > 0 };
  }
  const ok = plan.objects
    .filter((p) => !p.error || verdict.recoveries.has(p))
    .sort((a, b) => compareForApply(a.ref, b.ref));
  // Only kube-drift's own deletions: a Flux inventory entry is Flux's, never recorded here.
  const ownDeletions = plan.deletions.filter((d) => d.origin === 'inventory');
  const state: ApplyState = {
    results: new Map(),
    errors: verdict.errors,
    owned: new OwnedObjects(previous, plan.objects, ownDeletions, {
      paths: options.paths,
      claimed: claim.kind === 'unowned',
    }),
    driftRemaining: verdict.errors.length > 0,
    applied: [],
  };
  const syncInventory = async () => {
    try {
      await state.owned.sync(cluster, options);
    } catch (error) {
      const message = redact(`writing the inventory of target ${options.target}: ${describe(error)}`);
      state.errors.push({ message });
    }
  };

  let unhealthy: UnhealthyObject[] = [];
  try {
    for (const p of ok) if (p.live && hasOwnerLabels(p.live, options.target)) state.owned.add(p.ref);
    const decisions = decide(ok, verdict.recoveries, options, (ref) => !!cluster.info(ref), redact);
    for (const [p, entry] of decisions.decided) state.results.set(p, entry);
    if (decisions.heldDrift) state.driftRemaining = true;

    await applyStages(decisions.work, cluster, options, hooks, state, syncInventory);

    const pruned = await prune(
      selectPrune(plan.deletions, options),
      cluster,
      options,
      state.results,
      state.owned,
      state.errors,
      hooks,
    );
    if (pruned) state.driftRemaining = true;
    state.owned.dirty = true;

    if (options.wait && state.applied.length > 0)
      unhealthy = await waitHealthy(state.applied, cluster, options, hooks);
  } catch (error) {
    state.errors.push({
      message: redact(`remediation of target ${options.target} stopped: ${describe(error)}`),
    });
    state.driftRemaining = true;
  } finally {
    // With partial failure too: the inventory says what is in the cluster now.
    await syncInventory();
  }

  const { entries, stoppedWithDrift } = collectEntries(ok, plan.deletions, state.results, state.errors);
  return {
    changeSet: {
      target: options.target,
      entries,
      errors: state.errors,
      ...(notes.length > 0 ? { notes } : {}),
    },
    unhealthy,
    driftRemaining: state.driftRemaining || stoppedWithDrift,
  };
}
