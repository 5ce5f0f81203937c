// Staged server-side apply, after Flux: cluster definitions (then CRDs established), *Class
// kinds, the rest. Each object is written after its fields changed by hand are taken over; an
// object whose immutable field changes is deleted and recreated only with force.

import { forEachLimited } from '../concurrency.ts';
import { takeoverMatcher } from '../drift/managers.ts';
import { applyRank } from '../drift/order.ts';
import type { PlannedDeletion, PlannedObject } from '../drift/plan.ts';
import { describeError } from '../errors.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { classifyRefusal } from '../kube/refusal.ts';
import { type ChangeSetEntry, type ObjectRef, type PlanError, subjectOf } from '../model.ts';
import { registerCrdKinds, waitForCrds } from './crds.ts';
import type { Work } from './decide.ts';
import { joinNote, type RemediateHooks, type RemediateOptions } from './options.ts';
import type { OwnedObjects } from './owned.ts';
import { takeOver } from './takeover.ts';
import { waitGone } from './wait.ts';

export type Stage = 0 | 1 | 2;

/** Stages of the apply, after Flux: cluster definitions (then CRDs established), *Class kinds, the rest. */
export function stageOf(ref: Pick<ObjectRef, 'group' | 'kind'>): Stage {
  const rank = applyRank(ref);
  return rank < 100 ? 0 : rank < 200 ? 1 : 2;
}

/** The work grouped by stage, in stage order; empty stages left out, order within kept. */
export function stagesOf<T extends { ref: ObjectRef }>(work: readonly T[]): [Stage, T[]][] {
  const stages: [Stage, T[]][] = [];
  for (const stage of [0, 1, 2] as const) {
    const items = work.filter((w) => stageOf(w.ref) === stage);
    if (items.length > 0) stages.push([stage, items]);
  }
  return stages;
}

/** What the apply changes as it goes; the orchestration reads it even when the apply stops early. */
export interface ApplyState {
  results: Map<PlannedObject | PlannedDeletion, ChangeSetEntry>;
  errors: PlanError[];
  /** Objects whose write failed: their error is reported in place of an entry. */
  failed: Set<PlannedObject>;
  owned: OwnedObjects;
  driftRemaining: boolean;
  /** Objects written (not adopted): what the health wait watches. */
  applied: ObjectRef[];
}

/**
 * Applies the work stage by stage, writing the inventory after each stage. Throws when the
 * API server forbids a write: what the credentials may not do for one object they may not do
 * for the next.
 */
export async function applyStages(
  work: readonly Work[],
  cluster: ClusterObjects,
  options: RemediateOptions,
  hooks: RemediateHooks,
  state: ApplyState,
  syncInventory: () => Promise<void>,
): Promise<void> {
  for (const [stage, items] of stagesOf(work)) {
    if (stage > 0) resolvePendingKinds(items, cluster);
    await forEachLimited(items, Math.max(1, options.concurrency), async (w) => {
      const entry = await applyOne(w, cluster, options, hooks);
      if (entry instanceof Error) {
        failed(state, w, entry, options);
        return;
      }
      state.results.set(w.planned, entry);
      if (!options.dryRun) {
        w.applied = true;
        state.owned.add(w.ref);
        if (!w.adopt) state.applied.push(w.ref);
      } else if (!w.adopt) {
        state.driftRemaining = true;
      }
    });
    await syncInventory();
    if (stage === 0) await establishCrds(items, cluster, options, state);
  }
}

function failed(state: ApplyState, w: Work, error: Error, options: RemediateOptions): void {
  const at = w.planned.desired.source;
  state.errors.push({
    message: options.redactor.redact(describeError(error)),
    object: subjectOf(w.ref),
    ...(at ? { file: at.file, line: at.line } : {}),
  });
  if (!w.adopt) {
    state.driftRemaining = true;
    state.failed.add(w.planned);
  } else state.results.set(w.planned, w.entry);
  if (error instanceof KubeApiError && error.status === 403) {
    throw new Error(
      `the API server refused ${error.operation.verb} ${error.operation.subject} (HTTP 403); the objects after it were not tried`,
    );
  }
}

/** CRDs applied in the first stage: wait until established, then serve their kinds. */
async function establishCrds(
  items: readonly Work[],
  cluster: ClusterObjects,
  options: RemediateOptions,
  state: ApplyState,
): Promise<void> {
  const crds = items.filter((w) => w.applied && isCrd(w.ref)).map((w) => w.object);
  if (crds.length === 0) return;
  const established = await waitForCrds(cluster, crds, options.timeoutSeconds);
  for (const problem of established.problems)
    state.errors.push({ message: options.redactor.redact(problem.message), object: problem.subject });
  if (established.problems.length > 0) state.driftRemaining = true;
  registerCrdKinds(cluster, established.ready);
}

function isCrd(ref: Pick<ObjectRef, 'group' | 'kind'>): boolean {
  return ref.group === 'apiextensions.k8s.io' && ref.kind === 'CustomResourceDefinition';
}

/** Custom resources whose CRD came in this change: now that it is served, set their scope. */
function resolvePendingKinds(items: Work[], cluster: ClusterObjects): void {
  for (const w of items) {
    if (!w.pendingKind) continue;
    const info = cluster.info(w.ref);
    if (!info) continue;
    w.ref = { ...w.ref, namespace: info.namespaced ? w.ref.namespace : null };
    if (info.namespaced) w.object.metadata.namespace = w.ref.namespace ?? undefined;
    else delete w.object.metadata.namespace;
  }
}

async function applyOne(
  w: Work,
  cluster: ClusterObjects,
  options: RemediateOptions,
  hooks: RemediateHooks,
): Promise<ChangeSetEntry | Error> {
  const entry: ChangeSetEntry = { ...w.entry, ref: w.ref };
  // The plan's remarks on an object to create ("namespace … is new in this change") describe
  // the preview; once it is created they are stale.
  if (!options.dryRun && entry.action === 'created') delete entry.note;
  if (w.pendingKind && !cluster.info(w.ref)) {
    if (options.dryRun)
      return {
        ...entry,
        note: 'would be created once its CustomResourceDefinition is established (dry run)',
      };
    return new Error(
      `${subjectOf(w.ref)}: its kind ${w.object.apiVersion} ${w.object.kind} is still not served after its CustomResourceDefinition was applied`,
    );
  }
  if (w.immutable) return recreate(w, entry, w.immutable, cluster, options, hooks);
  const live = w.planned.live;
  try {
    // As Flux does before every apply: whatever manual managers own becomes kube-drift's, so the
    // apply removes what Git does not set (the plan's manualFields are the visible part of it).
    if (live && !options.dryRun)
      await takeOver(live, w.ref, cluster, options.fieldManager, takeoverMatcher(options.takeoverManagers));
    await cluster.apply(w.object, w.ref, {
      fieldManager: options.fieldManager,
      force: true,
      dryRun: options.dryRun,
    });
    return options.dryRun ? { ...entry, note: joinNote(entry.note, 'dry run: nothing was written') } : entry;
  } catch (error) {
    const refusal = classifyRefusal(error);
    if (refusal.kind !== 'immutable') return asError(error);
    return recreate(w, entry, refusal.fields, cluster, options, hooks);
  }
}

/** An immutable field changes: an error without force; with force, delete, wait until gone, apply. */
async function recreate(
  w: Work,
  entry: ChangeSetEntry,
  fields: string[],
  cluster: ClusterObjects,
  options: RemediateOptions,
  hooks: RemediateHooks,
): Promise<ChangeSetEntry | Error> {
  const named = fields.length > 0 ? `immutable field ${fields.join(', ')}` : 'an immutable field';
  if (!options.force) {
    return new Error(
      `${subjectOf(w.ref)}: ${named} cannot be changed in place (the API server refuses the change). Set force to delete and recreate it, or change it back in Git.`,
    );
  }
  if (options.dryRun)
    return {
      ...entry,
      note: joinNote(entry.note, `dry run: would be deleted and recreated (${named} changes)`),
    };
  hooks.info(`recreating ${subjectOf(w.ref)}: ${named} changes`);
  try {
    // The object the plan checked, and no other: a uid precondition.
    const uid = w.planned.live?.metadata.uid as string | undefined;
    await cluster.delete(w.ref, 'Background', uid ? { uid } : undefined);
    await waitGone(cluster, w.ref, options.timeoutSeconds);
    await cluster.apply(w.object, w.ref, { fieldManager: options.fieldManager, force: true, dryRun: false });
    return { ...entry, note: joinNote(entry.note, `deleted and recreated: ${named} changes`) };
  } catch (error) {
    return asError(error);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
