// Remediation: make the cluster match the plan, as Flux's kustomize-controller does. This file
// only orders the verbs, each in a file of its own: the claim on the target (inventory.ts),
// the verdict on the plan (verdict.ts), what to do per object (decide.ts), staged apply with
// takeover (apply.ts), prune (prune.ts), health waits (wait.ts) and the inventory (owned.ts).

import { compareForApply } from '../drift/order.ts';
import { hasOwnerLabels } from '../drift/ownership.ts';
import type { Plan, PlannedObject } from '../drift/plan.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { type ApplyState, applyStages } from './apply.ts';
import { decide } from './decide.ts';
import { type Inventory, readInventory } from './inventory.ts';
import {
  describe,
  type RemediateHooks,
  type RemediateOptions,
  type RemediationResult,
  type UnhealthyObject,
} from './options.ts';
import { OwnedObjects } from './owned.ts';
import { type Claim, claimNote, claimOf, foreignOwnerMessage } from './owner.ts';
import { prune, selectPrune } from './prune.ts';
import { collectEntries, refusedResult } from './result.ts';
import { type PlanVerdict, planVerdict } from './verdict.ts';
import { waitHealthy } from './wait.ts';

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
  const notes: string[] = [];
  // Ownership first: nothing is written for a target that another owner's inventory holds.
  const claimed = await claimTarget(plan, cluster, options, notes);
  if ('refused' in claimed) return claimed.refused;

  // Nothing is applied from a plan that could not check everything (a Deployment without
  // the ConfigMap it needs is worse than no change), except failed dry-runs with a typed way
  // through: see verdict.ts.
  const verdict = planVerdict(plan, options);
  const refusal = options.suspend ? `remediation of target ${options.target} is suspended` : verdict.refusal;
  if (refusal) {
    const plannedDrift = plan.changeSet.entries.some(
      (e) => e.action !== 'unchanged' && e.action !== 'skipped',
    );
    const result = refusedResult(plan, options.target, refusal, verdict.errors, notes);
    return { ...result, driftRemaining: plannedDrift || verdict.errors.length > 0 };
  }

  const ok = plan.objects
    .filter((p) => !p.error || verdict.recoveries.has(p))
    .sort((a, b) => compareForApply(a.ref, b.ref));
  const state: ApplyState = {
    results: new Map(),
    errors: verdict.errors,
    failed: new Set(),
    // Only kube-drift's own deletions: a Flux inventory entry is Flux's, never recorded here.
    owned: new OwnedObjects(
      claimed.inventory,
      plan.objects,
      plan.deletions.filter((d) => d.origin === 'inventory'),
      { paths: options.paths, claimed: claimed.claim.kind === 'unowned' },
    ),
    driftRemaining: verdict.errors.length > 0,
    applied: [],
  };
  const unhealthy = await converge(ok, plan, verdict, cluster, options, hooks, state);
  const { entries, stoppedWithDrift } = collectEntries(ok, plan.deletions, state.results, state.failed);
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

/** The target's inventory and this owner's claim on it, or the refused result when it may not apply. */
async function claimTarget(
  plan: Plan,
  cluster: ClusterObjects,
  options: RemediateOptions,
  notes: string[],
): Promise<{ inventory: Inventory; claim: Claim } | { refused: RemediationResult }> {
  const refused = (note: string, message: string) => ({
    refused: refusedResult(plan, options.target, note, [...plan.changeSet.errors, { message }], notes),
  });
  let inventory: Inventory;
  try {
    inventory = await readInventory(cluster, options.target, options.inventoryNamespace);
  } catch (error) {
    const message = `reading the inventory of target ${options.target}: ${describe(error)}`;
    return refused('not applied: the inventory could not be read', options.redactor.redact(message));
  }
  const claim = claimOf(inventory, options.owner);
  if (claim.kind === 'foreign') {
    const message = foreignOwnerMessage(options.target, claim.owner, options.owner);
    return refused(`not applied: target ${options.target} belongs to ${claim.owner}`, message);
  }
  if (claim.kind === 'unowned') notes.push(claimNote(options.target, options.owner, options.dryRun));
  return { inventory, claim };
}

/**
 * Decide, apply stage by stage, prune, wait for health; the inventory is written after each
 * stage and at the end, when the run stops early too: it says what is in the cluster now.
 */
async function converge(
  ok: PlannedObject[],
  plan: Plan,
  verdict: PlanVerdict,
  cluster: ClusterObjects,
  options: RemediateOptions,
  hooks: RemediateHooks,
  state: ApplyState,
): Promise<UnhealthyObject[]> {
  const redact = (text: string) => options.redactor.redact(text);
  const syncInventory = async () => {
    try {
      await state.owned.sync(cluster, options);
    } catch (error) {
      state.errors.push({
        message: redact(`writing the inventory of target ${options.target}: ${describe(error)}`),
      });
    }
  };
  try {
    for (const p of ok) if (p.live && hasOwnerLabels(p.live, options.target)) state.owned.add(p.ref);
    const decisions = decide(ok, verdict.recoveries, options, (ref) => !!cluster.info(ref), redact);
    for (const [p, entry] of decisions.decided) state.results.set(p, entry);
    if (decisions.heldDrift) state.driftRemaining = true;

    await applyStages(decisions.work, cluster, options, hooks, state, syncInventory);

    const selection = selectPrune(plan.deletions, options);
    if (await prune(selection, cluster, options, state.results, state.owned, state.errors, hooks))
      state.driftRemaining = true;
    // Written once more at the end of every applying run: a target that applied nothing is claimed too.
    state.owned.dirty = true;

    if (options.wait && state.applied.length > 0)
      return await waitHealthy(state.applied, cluster, options, hooks);
    return [];
  } catch (error) {
    state.errors.push({
      message: redact(`remediation of target ${options.target} stopped: ${describe(error)}`),
    });
    state.driftRemaining = true;
    return [];
  } finally {
    await syncInventory();
  }
}
