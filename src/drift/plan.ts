// The plan: what applying Git would do to the cluster, object by object and field by field.
// One pass per verb, as Flux's ssa manager is split: resolve kinds (resolve.ts), read live
// state (live.ts), dry-run (dryrun.ts), compare (compare.ts), find deletions (deletions.ts).

import { forEachLimited, pacer } from '../concurrency.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import type { ApiRefusal } from '../kube/refusal.ts';
import {
  type ChangeSet,
  type ChangeSetEntry,
  type DesiredObject,
  identityOf,
  type KubeObject,
  type ObjectRef,
  type PlanError,
  subjectOf,
} from '../model.ts';
import type { Redactor } from '../redaction.ts';
import { argoManaged } from './argocd-optouts.ts';
import { compareObject, skippedEntry, skipReason } from './compare.ts';
import { defaultIgnoreRules } from './default-ignores.ts';
import { findDeletions, findFluxPrunes } from './deletions.ts';
import { boundedRequests, type DryRunContext, isPrediction, type Prediction } from './dryrun.ts';
import { keepUnidentifiedSecrets, withLiveValues } from './encrypted.ts';
import type { IgnoreRule } from './ignore.ts';
import { PlanIgnoreRules } from './ignore-match.ts';
import { BUILTIN_LIST_SEMANTICS, type ListSemantics } from './list-semantics.ts';
import { readLiveState } from './live.ts';
import { takeoverMatcher } from './managers.ts';
import { compareForApply, compareForDelete } from './order.ts';
import { resolveDesired } from './resolve.ts';
import { planOrder, verificationOf, verify } from './verify.ts';

export interface PlanOptions {
  target: string;
  /** For namespaced objects that name none. */
  defaultNamespace: string;
  fieldManager: string;
  /**
   * Field managers whose fields Git decides (`*` matches any characters; controllers never
   * match): what they own and Git does not set is drift. Default: kubectl*, before-first-apply, helm.
   */
  takeoverManagers?: readonly string[];
  /** Dry-runs in flight at once. */
  concurrency: number;
  ignoreRules: IgnoreRule[];
  /** Ignore rules for one group's objects only (a Flux Kustomization's or HelmRelease's): group → rules. */
  groupIgnoreRules?: Map<string, IgnoreRule[]>;
  /** Every Secret value seen is registered here, as the outputs' last line of defence. */
  redactor: Redactor;
  /** server: dry-run; client: no write verbs; auto: server, client on 403. */
  diffMode: 'server' | 'client' | 'auto';
  /** Groups whose objects are reported skipped (a suspended Flux Kustomization): name → why. */
  skippedGroups?: Map<string, string>;
  /** Groups whose drift is reported but never corrected (a HelmRelease in drift-detection mode warn): name → why. */
  reportOnlyGroups?: Map<string, string>;
  /** Problems found while rendering that concern one group only; reported with the plan's errors. */
  inputErrors?: PlanError[];
  /**
   * Objects this owner's inventory of the target records: the only candidates for `deleted`
   * (a live object must also carry the owner labels and be gone from Git).
   */
  inventory?: ObjectRef[];
  /**
   * Objects Flux Kustomizations applied (their `.status.inventory`): those not in Git are
   * reported `deleted`, as Flux would prune them. Flux owns them, so remediation never does.
   */
  fluxInventory?: FluxInventoryRef[];
  /** Live objects whose Argo CD tracking annotation names an Application are reported, never applied nor pruned. */
  leaveArgoCd?: boolean;
  /** Files of Secrets encrypted whole that no key opens: Secrets otherwise deleted may be theirs. */
  undecrypted?: string[];
  onProgress?: (done: number, total: number) => void;
  onWarning?: (message: string) => void;
  /**
   * Which lists are maps and by which keys (the server's schemas); default: the built-in table.
   * A promise is awaited once live state is read, so fetching the schemas overlaps the reads.
   */
  listSemantics?: ListSemantics | Promise<ListSemantics>;
  /**
   * auto (default): skip the dry-run of an object the in-sync proof holds for (proof.ts);
   * all: dry-run every object.
   */
  verify?: 'auto' | 'all';
  /** Kinds always dry-run (`Kind`, or `Kind.group` for one group): their admission must run. */
  verifyKinds?: readonly string[];
  /** Told of each live object about to be dry-run (its proof did not hold): reads that follow may start. */
  onDryRun?: (ref: ObjectRef) => void;
}

/** The note of an object client mode cannot verify: reported skipped, never as drift. */
export const NOT_VERIFIABLE = 'not verifiable without a dry-run';

/**
 * Objects planned at once. A proof is work on this thread and a dry-run a wait on the server:
 * with only `concurrency` objects at once, the dry-runs in flight held every slot and the proofs
 * behind them waited too. The plan's requests keep their own bound (`concurrency`, dryRunContext).
 */
const OBJECTS_AT_ONCE = 256;

/** Proofs hand the thread back this often (ms): a dry-run asked for goes out while the next are proved. */
const PROOF_SLICE_MS = 4;

/** An entry of a Flux Kustomization's `.status.inventory`; `kustomization` is its `namespace/name`. */
export interface FluxInventoryRef extends ObjectRef {
  kustomization: string;
}

/** One desired object as planned; keeps the unmasked object for remediation (never reported). */
export interface PlannedObject {
  desired: DesiredObject;
  ref: ObjectRef;
  entry: ChangeSetEntry;
  /** The object to apply: desired with namespace defaulted and owner labels added. */
  applyObject: KubeObject;
  live: KubeObject | null;
  /** Fields only take-over managers own and Git does not set: what remediation takes over and removes. */
  manualFields: string[];
  /** Its kind is not served yet: the CustomResourceDefinition that defines it is new in this change. */
  kindPending?: boolean;
  /** Set when the dry-run failed; the object is also in the change set's errors. */
  error?: PlanError;
  /** Why the dry-run failed, from the API server's Status; remediation decides by it alone. */
  refusal?: ApiRefusal;
  /** Why remediation must leave the object's drift alone (it is reported only). */
  reportOnly?: string;
  /** How its prediction was made: a dry-run (or a failed one), the in-sync proof, client-side. */
  verifiedBy?: 'dry-run' | 'proof' | 'client' | 'not-verifiable';
}

export interface PlannedDeletion {
  ref: ObjectRef;
  entry: ChangeSetEntry;
  /** The object as checked: prune deletes it only while it keeps this uid. */
  live: KubeObject;
  /** kube-drift's own inventory, or a Flux Kustomization's (previewed only, never pruned nor recorded). */
  origin: 'inventory' | 'flux';
}

export interface Plan {
  changeSet: ChangeSet;
  objects: PlannedObject[];
  deletions: PlannedDeletion[];
  /** The list semantics the plan compared with, for three-way classing to use the same. */
  listSemantics?: ListSemantics;
}

/** The verbs of ClusterObjects the plan uses: reads, and dry-runs that write nothing. */
export type PlanCluster = Pick<ClusterObjects, 'info' | 'get' | 'list' | 'apply' | 'update'>;

export async function plan(
  desired: DesiredObject[],
  cluster: PlanCluster,
  options: PlanOptions,
): Promise<Plan> {
  const { redactor } = options;
  const kindOf = cluster.info.bind(cluster);
  const resolved = resolveDesired(desired, kindOf, options);
  const errors: PlanError[] = [...(options.inputErrors ?? []), ...resolved.errors];
  const planned = resolved.planned;
  for (const p of planned)
    if (p.ref.kind === 'Secret' && p.ref.group === '') redactor.addSecretObject(p.applyObject);

  const live = await readLiveState(planned, cluster, options);
  for (const p of planned) {
    p.live = live.objects.get(identityOf(p.ref)) ?? null;
    if (p.live && isSecret(p.live)) redactor.addSecretObject(p.live);
    if (p.desired.valuesNotCompared) p.applyObject = withLiveValues(p.applyObject, p.live);
  }

  // Argo CD corrects what its Applications manage: kube-drift reports it and leaves it alone.
  if (options.leaveArgoCd) for (const p of planned) p.reportOnly ??= p.live ? argoManaged(p.live) : undefined;

  const defaults = defaultIgnoreRules(desired.map((d) => d.object));
  const rules = new PlanIgnoreRules([...defaults, ...options.ignoreRules], options.groupIgnoreRules);
  const lists = (await options.listSemantics) ?? BUILTIN_LIST_SEMANTICS;
  const context = dryRunContext(cluster, options, resolved.newNamespaces, lists);
  let done = 0;
  const objectErrors = new Map<PlannedObject, PlanError>();
  const pace = pacer(PROOF_SLICE_MS);
  await forEachLimited(
    planOrder(planned, options.fieldManager),
    Math.max(options.concurrency, OBJECTS_AT_ONCE),
    async (p) => {
      try {
        const error = await pace(() => planObject(p, context, rules, options));
        if (error) objectErrors.set(p, error);
      } finally {
        options.onProgress?.(++done, planned.length);
      }
    },
  );
  // In Git's order, not the order the dry-runs finished in: the same run reports the same list.
  for (const p of planned) {
    const error = objectErrors.get(p);
    if (error) errors.push(error);
  }
  for (const p of planned) {
    const why = p.desired.valuesNotCompared;
    if (why && !p.error) p.entry.note = p.entry.note ? `${why}; ${p.entry.note}` : why;
  }

  const deletions = findDeletions(planned, live.owned, kindOf, options);
  if (options.fluxInventory?.length)
    deletions.push(...(await findFluxPrunes(planned, deletions, cluster, options.fluxInventory)));
  for (const d of deletions) if (isSecret(d.live)) redactor.addSecretObject(d.live);
  if (options.undecrypted?.length) keepUnidentifiedSecrets(deletions, options.undecrypted);

  const ok = planned.filter((p) => !p.error);
  ok.sort((a, b) => compareForApply(a.ref, b.ref));
  deletions.sort((a, b) => compareForDelete(a.ref, b.ref));
  return {
    changeSet: {
      target: options.target,
      entries: [...ok.map((p) => p.entry), ...deletions.map((d) => d.entry)],
      errors: errors.map((e) => ({ ...e, message: redactor.redact(e.message) })),
      verification: verificationOf(planned),
    },
    objects: planned,
    deletions,
    listSemantics: lists,
  };
}

/**
 * Skips, dry-runs and compares one object, filling in its entry; returns its error when the
 * dry-run failed. Throws when the server is unreachable: going on would wait out the retry
 * budget again for every object left, and report nothing true about them.
 */
async function planObject(
  p: PlannedObject,
  context: DryRunContext,
  rules: PlanIgnoreRules,
  options: PlanOptions,
): Promise<PlanError | undefined> {
  const group = p.desired.group;
  if (p.kindPending) {
    const prediction: Prediction = {
      kind: 'would-create',
      predicted: p.applyObject,
      live: null,
      pending: 'kind',
    };
    p.entry = compareObject({
      entry: p.entry,
      applyObject: p.applyObject,
      prediction,
      rules: rules.forGroup(group),
    }).entry;
    return undefined;
  }
  const skip =
    p.desired.notCompared ??
    skipReason({
      applyObject: p.applyObject,
      live: p.live,
      group,
      skippedGroup: group ? options.skippedGroups?.get(group) : undefined,
      groupRules: rules.groupOnly(group),
    });
  if (skip) {
    p.entry = skippedEntry(p.entry, skip);
    return undefined;
  }
  const outcome = await verify(p, context, options);
  if (outcome.kind === 'unreachable') throw outcome.error;
  if (outcome.kind === 'not-verifiable') {
    p.entry = skippedEntry(p.entry, `${NOT_VERIFIABLE} (${outcome.reason})`);
    return undefined;
  }
  if (!isPrediction(outcome)) {
    p.error = planError(p, outcome.error);
    p.refusal = outcome.refusal;
    return p.error;
  }
  p.live = outcome.live;
  if (p.live && isSecret(p.live)) options.redactor.addSecretObject(p.live);
  const comparison = compareObject({
    entry: p.entry,
    applyObject: p.applyObject,
    prediction: outcome,
    rules: rules.forGroup(group),
    lists: context.lists,
  });
  p.entry = comparison.entry;
  p.applyObject = comparison.applyObject;
  p.manualFields = comparison.manualFields;
  return undefined;
}

function dryRunContext(
  cluster: PlanCluster,
  options: PlanOptions,
  newNamespaces: ReadonlySet<string>,
  lists: ListSemantics,
): DryRunContext {
  let warned = false;
  return {
    cluster: boundedRequests(cluster, options.concurrency),
    fieldManager: options.fieldManager,
    diffMode: options.diffMode,
    isTakeover: takeoverMatcher(options.takeoverManagers),
    newNamespaces,
    lists,
    onClientMode: (error) => {
      if (warned) return;
      warned = true;
      options.onWarning?.(
        `dry-run is forbidden (${error.message}); diffing in client mode, which compares without write verbs`,
      );
    },
  };
}

/** A refused request keeps its status and what to do (grant RBAC, or diff-mode client). */
function planError(p: PlannedObject, error: unknown): PlanError {
  const message =
    error instanceof KubeApiError && error.hint
      ? `${error.message} (HTTP ${error.status})\n  ${error.hint}`
      : error instanceof Error
        ? error.message
        : String(error);
  return { message, object: subjectOf(p.ref), file: p.desired.source.file, line: p.desired.source.line };
}

function isSecret(object: KubeObject): boolean {
  return object.kind === 'Secret';
}
