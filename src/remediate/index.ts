// Remediation: make the cluster match the plan, as Flux's kustomize-controller does. Staged
// server-side apply (definitions, then *Class kinds, then the rest, waiting for CRDs in
// between), taking over fields changed by hand, prune of what left Git, health waits, and an
// inventory that always tells the truth about what kube-drift applied.

import { isSkipped } from '../drift/ignore.ts';
import { type ManagerMatcher, takeoverMatcher } from '../drift/managers.ts';
import type { Redactor } from '../drift/mask.ts';
import { OWNER_LABEL, OWNER_LABEL_VALUE, OWNER_NAME_LABEL } from '../drift/normalize.ts';
import { applyRank, compareForApply } from '../drift/order.ts';
import {
  forEachLimited,
  ownerLabels,
  type Plan,
  type PlannedDeletion,
  type PlannedObject,
} from '../drift/plan.ts';
import { describeError } from '../errors.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import {
  type ChangeSet,
  type ChangeSetEntry,
  identityOf,
  type KubeObject,
  type ObjectRef,
  type PlanError,
  subjectOf,
} from '../model.ts';
import { registerCrdKinds, waitForCrds } from './crds.ts';
import { assessHealth, isWorkload } from './health.ts';
import { readInventory, writeInventory } from './inventory.ts';
import { takeoverPatch } from './takeover.ts';

export interface RemediateOptions {
  target: string;
  fieldManager: string;
  /** Managers whose fields are taken over before each apply (see PlanOptions.takeoverManagers). */
  takeoverManagers?: readonly string[];
  concurrency: number;
  prune: boolean;
  wait: boolean;
  timeoutSeconds: number;
  force: boolean;
  dryRun: boolean;
  maxDeletions: number;
  inventoryNamespace: string;
  suspend: boolean;
  skipUnhealthy: boolean;
  redactor: Redactor;
}

export interface UnhealthyObject {
  subject: string;
  reason: string;
}

export interface RemediationResult {
  /** Entries as done: created / configured / unchanged / deleted / skipped (with a note); failures in errors. */
  changeSet: ChangeSet;
  unhealthy: UnhealthyObject[];
  /** True when the cluster still differs from Git: skipped, failed, dry-run or unpruned changes. */
  driftRemaining: boolean;
}

export interface RemediateHooks {
  info(message: string): void;
  warning(message: string): void;
}

/** Stages of the apply, after Flux: cluster definitions (then CRDs established), *Class kinds, the rest. */
export function stageOf(ref: Pick<ObjectRef, 'group' | 'kind'>): 0 | 1 | 2 {
  const rank = applyRank(ref);
  return rank < 100 ? 0 : rank < 200 ? 1 : 2;
}

/** One object to write, with the entry reported for it. */
interface Work {
  planned: PlannedObject;
  ref: ObjectRef;
  object: KubeObject;
  entry: ChangeSetEntry;
  /** Unchanged but lacking the owner labels: applied so prune can find it later; reported unchanged. */
  adopt: boolean;
  /** Its kind was unknown at plan time (its CRD is in this change). */
  pendingKind: boolean;
  /** The plan's dry-run was refused because an immutable field changes: these fields. */
  immutable?: string[];
  applied?: boolean;
}

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
  // Two kinds of failed dry-run are not the end. An immutable field: with force, the object is
  // recreated. A change that only conflicts with fields people changed by hand (a port renamed
  // with kubectl edit keeps its name, so Git's port would duplicate it): it goes through once
  // kube-drift has taken those fields over, which a dry-run cannot show. Both leave the plan's
  // errors here and are reported by what the apply does.
  const immutable = new Set(
    plan.objects.filter((p) => p.live && p.error && isImmutableMessage(p.error.message)),
  );
  const afterTakeover = new Set(
    options.dryRun
      ? []
      : plan.objects.filter(
          (p) =>
            p.live &&
            p.error &&
            !immutable.has(p) &&
            takeoverPatch(p.live, options.fieldManager, takeoverMatcher(options.takeoverManagers)),
        ),
  );
  const recovered = [...immutable, ...afterTakeover];
  const errors: PlanError[] = plan.changeSet.errors.filter(
    (e) => !recovered.some((p) => sameError(p.error, e)),
  );
  const redact = (text: string) => options.redactor.redact(text);
  const fail = (ref: ObjectRef, error: unknown, at?: { file: string; line: number }) => {
    const message = redact(describeError(error));
    errors.push({ message, object: subjectOf(ref), ...(at ? { file: at.file, line: at.line } : {}) });
  };
  const ok = plan.objects
    .filter((p) => !p.error || immutable.has(p) || afterTakeover.has(p))
    .sort((a, b) => compareForApply(a.ref, b.ref));
  const plannedDrift = plan.changeSet.entries.some((e) => e.action !== 'unchanged' && e.action !== 'skipped');

  // Like Flux, nothing is applied from a plan that could not check everything: a half-applied
  // change set (a Deployment without the CRD or ConfigMap it needs) is worse than none.
  const refusal = options.suspend
    ? `remediation of target ${options.target} is suspended`
    : errors.length > 0
      ? `not applied: the plan has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} and run again`
      : undefined;
  if (refusal) {
    const note = refusal;
    const entries = [...ok.map((p) => p.entry), ...plan.deletions.map((d) => d.entry)].map((e) =>
      e.action === 'skipped'
        ? e
        : { ...e, action: 'skipped' as const, note: e.note ? `${note}; ${e.note}` : note },
    );
    return {
      changeSet: { target: options.target, entries, errors },
      unhealthy: [],
      driftRemaining: plannedDrift || errors.length > 0,
    };
  }

  let driftRemaining = errors.length > 0;
  const results = new Map<PlannedObject | PlannedDeletion, ChangeSetEntry>();
  const unhealthy: UnhealthyObject[] = [];
  // What the target owns in the cluster: the inventory so far, plus whatever carries its labels.
  const owned = new Map<string, ObjectRef>();
  let inventoryDirty = false;
  const syncInventory = async () => {
    if (options.dryRun || !inventoryDirty) return;
    try {
      await writeInventory(
        cluster,
        options.target,
        options.inventoryNamespace,
        owned.values(),
        options.fieldManager,
      );
      inventoryDirty = false;
    } catch (error) {
      errors.push({
        message: redact(`writing the inventory of target ${options.target}: ${describe(error)}`),
      });
    }
  };

  try {
    const previous = await readInventory(cluster, options.target, options.inventoryNamespace);
    const inGit = new Set(plan.objects.map((p) => identityOf(p.ref)));
    const deletable = new Set(plan.deletions.map((d) => identityOf(d.ref)));
    for (const ref of previous) {
      // Entries that left Git and no longer carry the labels (gone, or disowned by hand) are dropped.
      if (inGit.has(identityOf(ref)) || deletable.has(identityOf(ref))) owned.set(identityOf(ref), ref);
      else inventoryDirty = true;
    }
    for (const d of plan.deletions) if (!owned.has(identityOf(d.ref))) owned.set(identityOf(d.ref), d.ref);

    // 1. Decide per object: keep, adopt, leave alone, or apply.
    const work: Work[] = [];
    for (const p of ok) {
      const pendingKind = !cluster.info(p.ref);
      const object = structuredClone(p.applyObject);
      object.metadata.labels = { ...object.metadata.labels, ...ownerLabels(options.target) };
      if (p.live && hasOwnerLabels(p.live, options.target) && setOwned(owned, p.ref)) inventoryDirty = true;
      // Failed dry-runs carry the default action; decide them first.
      if (immutable.has(p)) {
        const entry: ChangeSetEntry = { ...p.entry, action: 'configured' };
        work.push({
          planned: p,
          ref: p.ref,
          object,
          entry,
          adopt: false,
          pendingKind,
          immutable: immutableFields(p.error!.message),
        });
        continue;
      }
      if (afterTakeover.has(p)) {
        const note = `its dry-run had failed before kube-drift took over fields changed by hand (${redact(p.error!.message)})`;
        const entry: ChangeSetEntry = { ...p.entry, action: 'configured', note };
        work.push({ planned: p, ref: p.ref, object, entry, adopt: false, pendingKind });
        continue;
      }
      switch (p.entry.action) {
        case 'skipped':
          results.set(p, p.entry);
          continue;
        case 'unchanged':
          results.set(p, p.entry);
          if (p.live && !hasOwnerLabels(p.live, options.target) && !options.dryRun) {
            work.push({ planned: p, ref: p.ref, object, entry: p.entry, adopt: true, pendingKind: false });
          }
          continue;
      }
      if (p.reportOnly) {
        results.set(p, { ...p.entry, action: 'skipped', note: join(p.entry.note, p.reportOnly) });
        driftRemaining = true;
        continue;
      }
      if (options.skipUnhealthy && p.live && isWorkload(p.live)) {
        const health = assessHealth(p.live);
        if (health.state !== 'healthy') {
          results.set(p, {
            ...p.entry,
            action: 'skipped',
            note: `left alone: unhealthy before remediation (${health.reason})`,
          });
          driftRemaining = true;
          continue;
        }
      }
      work.push({ planned: p, ref: p.ref, object, entry: p.entry, adopt: false, pendingKind });
    }

    // 2. Apply, stage by stage.
    const applied: Work[] = [];
    for (const stage of [0, 1, 2] as const) {
      const items = work.filter((w) => stageOf(w.ref) === stage);
      if (items.length === 0) continue;
      if (stage > 0) resolvePendingKinds(items, cluster);
      await forEachLimited(items, Math.max(1, options.concurrency), async (w) => {
        const entry = await applyOne(w, cluster, options, hooks);
        if (entry instanceof Error) {
          fail(w.ref, entry, w.planned.desired.source);
          if (!w.adopt) driftRemaining = true;
          else results.set(w.planned, w.entry);
          // What the credentials may not do for one object they may not do for the next:
          // stop, rather than repeat the same refusal for every object.
          if (entry instanceof KubeApiError && entry.status === 403) {
            throw new Error(
              `the API server refused ${entry.operation.verb} ${entry.operation.subject} (HTTP 403); the objects after it were not tried`,
            );
          }
          return;
        }
        results.set(w.planned, entry);
        if (!options.dryRun) {
          w.applied = true;
          if (setOwned(owned, w.ref)) inventoryDirty = true;
          if (!w.adopt) applied.push(w);
        } else if (!w.adopt) {
          driftRemaining = true;
        }
      });
      await syncInventory();
      if (stage === 0) {
        const crds = items.filter((w) => w.applied && isCrd(w.ref)).map((w) => w.object);
        if (crds.length > 0) {
          const established = await waitForCrds(cluster, crds, options.timeoutSeconds);
          for (const problem of established.problems)
            errors.push({ message: redact(problem.message), object: problem.subject });
          if (established.problems.length > 0) driftRemaining = true;
          registerCrdKinds(cluster, established.ready);
        }
      }
    }

    // 3. Prune what left Git.
    driftRemaining =
      (await prune(plan.deletions, cluster, options, results, owned, errors, hooks)) || driftRemaining;
    inventoryDirty = true;

    // 4. Wait for health.
    if (options.wait && applied.length > 0) {
      unhealthy.push(...(await waitHealthy(applied, cluster, options, hooks)));
    }
  } catch (error) {
    errors.push({ message: redact(`remediation of target ${options.target} stopped: ${describe(error)}`) });
    driftRemaining = true;
  } finally {
    // With partial failure too: the inventory says what is in the cluster now.
    await syncInventory();
  }

  const entries: ChangeSetEntry[] = [];
  for (const p of ok) {
    const entry = results.get(p);
    if (entry) entries.push(entry);
    else if (!errors.some((e) => e.object === subjectOf(p.ref))) {
      // Not reached because the run stopped early: say so rather than leave it out.
      entries.push({
        ...p.entry,
        action: 'skipped',
        note: 'not applied: the run stopped before reaching it',
      });
      if (p.entry.action !== 'unchanged' && p.entry.action !== 'skipped') driftRemaining = true;
    }
  }
  for (const d of plan.deletions) {
    const entry = results.get(d);
    entries.push(
      entry ?? { ...d.entry, action: 'skipped', note: 'not pruned: the run stopped before reaching it' },
    );
  }
  return { changeSet: { target: options.target, entries, errors }, unhealthy, driftRemaining };
}

function setOwned(owned: Map<string, ObjectRef>, ref: ObjectRef): boolean {
  const key = identityOf(ref);
  const had = owned.get(key);
  if (had && had.version === ref.version) return false;
  owned.set(key, ref);
  return true;
}

export function hasOwnerLabels(object: KubeObject, target: string): boolean {
  const labels = object.metadata?.labels ?? {};
  return labels[OWNER_LABEL] === OWNER_LABEL_VALUE && labels[OWNER_NAME_LABEL] === target;
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
  const { planned: p } = w;
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
  try {
    // As Flux does before every apply: whatever manual managers own becomes kube-drift's, so the
    // apply removes what Git does not set (the plan's manualFields are the visible part of it).
    if (p.live && !options.dryRun)
      await takeOver(p.live, w.ref, cluster, options.fieldManager, takeoverMatcher(options.takeoverManagers));
    await cluster.apply(w.object, w.ref, {
      fieldManager: options.fieldManager,
      force: true,
      dryRun: options.dryRun,
    });
    return options.dryRun ? { ...entry, note: join(entry.note, 'dry run: nothing was written') } : entry;
  } catch (error) {
    const fields = error instanceof KubeApiError ? error.immutableFields : undefined;
    if (!fields) return asError(error);
    return recreate(w, entry, fields, cluster, options, hooks);
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
    return { ...entry, note: join(entry.note, `dry run: would be deleted and recreated (${named} changes)`) };
  hooks.info(`recreating ${subjectOf(w.ref)}: ${named} changes`);
  try {
    await cluster.delete(w.ref, 'Background');
    await waitGone(cluster, w.ref, options.timeoutSeconds);
    await cluster.apply(w.object, w.ref, { fieldManager: options.fieldManager, force: true, dryRun: false });
    return { ...entry, note: join(entry.note, `deleted and recreated: ${named} changes`) };
  } catch (error) {
    return asError(error);
  }
}

export function isImmutableMessage(message: string): boolean {
  return /field is immutable|is immutable/i.test(message);
}

/** Field paths named in an API server's immutable-field message: `spec.template: Invalid value: …: field is immutable`. */
export function immutableFields(message: string): string[] {
  const fields = new Set<string>();
  for (const match of message.matchAll(/(?:^|[\s:,])([a-zA-Z][\w.[\]-]*): Invalid value:/g))
    fields.add(match[1]);
  for (const match of message.matchAll(/(?:^|[\s:,])([a-zA-Z][\w.[\]-]*): Forbidden: [^,;]*immutable/g))
    fields.add(match[1]);
  return [...fields];
}

/** The plan's change set holds redacted copies of each object's error. */
function sameError(a: PlanError | undefined, b: PlanError): boolean {
  return !!a && a.object === b.object && a.file === b.file && a.line === b.line;
}

/**
 * Hands manual managers' fields to kube-drift. The patch is guarded by resourceVersion, and
 * controllers write status often (a scaling Deployment), so a refused guard means: read again.
 */
async function takeOver(
  live: KubeObject,
  ref: ObjectRef,
  cluster: ClusterObjects,
  fieldManager: string,
  isTakeover: ManagerMatcher,
): Promise<void> {
  let current: KubeObject | null = live;
  for (let attempt = 1; current; attempt++) {
    const patch = takeoverPatch(current, fieldManager, isTakeover);
    if (!patch) return;
    try {
      await cluster.jsonPatch(ref, patch);
      return;
    } catch (error) {
      if (
        !(error instanceof KubeApiError && (error.status === 422 || error.status === 409)) ||
        attempt === TAKEOVER_ATTEMPTS
      ) {
        throw error;
      }
      current = await cluster.get(ref);
    }
  }
}

const TAKEOVER_ATTEMPTS = 8;

async function waitGone(cluster: ClusterObjects, ref: ObjectRef, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while ((await cluster.get(ref)) !== null) {
    if (Date.now() >= deadline)
      throw new Error(
        `${subjectOf(ref)} was still being deleted after ${timeoutSeconds}s; it was not recreated`,
      );
    await sleep(500);
  }
}

/** Deletes what left Git; returns true when drift remains (deletions not made). */
async function prune(
  deletions: PlannedDeletion[],
  cluster: ClusterObjects,
  options: RemediateOptions,
  results: Map<PlannedObject | PlannedDeletion, ChangeSetEntry>,
  owned: Map<string, ObjectRef>,
  errors: PlanError[],
  hooks: RemediateHooks,
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
      await cluster.delete(d.ref, 'Background');
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

/** Polls each applied object at most once a second until healthy, failed, or the timeout. */
async function waitHealthy(
  applied: Work[],
  cluster: ClusterObjects,
  options: RemediateOptions,
  hooks: RemediateHooks,
): Promise<UnhealthyObject[]> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const unhealthy: UnhealthyObject[] = [];
  let pending = applied.map((w) => ({ ref: w.ref, reason: 'not checked yet' }));
  hooks.info(`waiting up to ${options.timeoutSeconds}s for ${pending.length} objects to become healthy`);
  for (;;) {
    const started = Date.now();
    const next: typeof pending = [];
    await forEachLimited(pending, Math.max(1, options.concurrency), async (item) => {
      try {
        const health = assessHealth(await cluster.get(item.ref));
        if (health.state === 'failed')
          unhealthy.push({ subject: subjectOf(item.ref), reason: health.reason });
        else if (health.state === 'progressing') next.push({ ref: item.ref, reason: health.reason });
      } catch (error) {
        next.push({ ref: item.ref, reason: `could not be read: ${describe(error)}` });
      }
    });
    pending = next;
    if (pending.length === 0 || Date.now() >= deadline) break;
    await sleep(Math.min(Math.max(0, 1000 - (Date.now() - started)), Math.max(0, deadline - Date.now())));
  }
  for (const item of pending) {
    unhealthy.push({
      subject: subjectOf(item.ref),
      reason: `not healthy after ${options.timeoutSeconds}s: ${item.reason}`,
    });
  }
  return unhealthy.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
}

function join(note: string | undefined, more: string): string {
  return note ? `${note}; ${more}` : more;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
