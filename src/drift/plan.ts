// The plan: what applying Git would do to the cluster, object by object and field by field.
// Diffs by server-side apply dry-run (the server fills in defaults and runs admission, so
// defaulted fields are not drift), then adds what a dry-run cannot show: fields a person
// added by hand that Git does not set (remediation takes those over and removes them).

import { forEachLimited } from '../concurrency.ts';
import type { ResourceInfo } from '../kube/discovery.ts';
import { KubeApiError, KubeConnectionError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { type ApiRefusal, classifyRefusal } from '../kube/refusal.ts';
import {
  type ChangeSet,
  type ChangeSetEntry,
  type DesiredObject,
  type DiffMode,
  identityOf,
  type KubeObject,
  type ObjectRef,
  type PlanError,
  refOf,
  subjectOf,
} from '../model.ts';
import type { Redactor } from '../redaction.ts';
import { type Adoption, adoptFields } from './adoption.ts';
import { defaultIgnoreRules } from './default-ignores.ts';
import { keepUnidentifiedSecrets, withLiveValues } from './encrypted.ts';
import { attributeChanges, fieldsToRemove, removePointers } from './fieldsets.ts';
import { fluxApplySkip, fluxPruneSkip } from './flux-optouts.ts';
import { holdIgnored } from './hold-ignored.ts';
import { applyIgnore, type IgnoreRule, isSkipped, WHOLE_OBJECT } from './ignore.ts';
import { rulesFor } from './ignore-match.ts';
import { deepEqual, diffObjects, unifiedDiff } from './jsondiff.ts';
import { type ManagerMatcher, takeoverMatcher } from './managers.ts';
import { maskSecrets } from './mask.ts';
import { normalizeForDiff } from './normalize.ts';
import { compareForApply, compareForDelete } from './order.ts';
import { type LiveCandidate, ownerLabels, ownerSelector, selectDeletions } from './ownership.ts';
import { asStored, mergeOver, predictClientSide } from './predict.ts';

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
  /** Files of Secrets encrypted whole that no key opens: Secrets otherwise deleted may be theirs. */
  undecrypted?: string[];
  onProgress?: (done: number, total: number) => void;
  onWarning?: (message: string) => void;
}

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
  /** Set when the dry-run failed; the object is also in the change set's errors. */
  error?: PlanError;
  /** Why the dry-run failed, from the API server's Status; remediation decides by it alone. */
  refusal?: ApiRefusal;
  /** Why remediation must leave the object's drift alone (it is reported only). */
  reportOnly?: string;
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
}

export async function plan(
  desired: DesiredObject[],
  cluster: ClusterObjects,
  options: PlanOptions,
): Promise<Plan> {
  const errors: PlanError[] = [...(options.inputErrors ?? [])];
  const defaults = defaultIgnoreRules(desired.map((d) => d.object));
  const rules = [...defaults, ...options.ignoreRules];
  const isTakeover = takeoverMatcher(options.takeoverManagers);
  // One array per group, so that the rule index built for it is built once.
  const groupCombined = new Map<string, IgnoreRule[]>();
  const rulesOfGroup = (group: string | undefined): IgnoreRule[] => {
    const own = group ? options.groupIgnoreRules?.get(group) : undefined;
    if (!group || !own) return rules;
    let combined = groupCombined.get(group);
    if (!combined) {
      combined = [...rules, ...own];
      groupCombined.set(group, combined);
    }
    return combined;
  };

  // 1. Resolve kinds, default namespaces, find CRDs and namespaces new in this change.
  const newCrds = new Set<string>();
  const desiredNamespaces = new Set<string>();
  for (const { object } of desired) {
    if (object.kind === 'CustomResourceDefinition' && refOf(object).group === 'apiextensions.k8s.io') {
      const spec = object.spec as { group?: string; names?: { kind?: string } } | undefined;
      if (spec?.group && spec.names?.kind) newCrds.add(`${spec.group}|${spec.names.kind}`);
    }
    if (object.kind === 'Namespace' && object.apiVersion === 'v1')
      desiredNamespaces.add(object.metadata.name);
  }

  const planned: PlannedObject[] = [];
  const seen = new Map<string, DesiredObject>();
  for (const item of desired) {
    const object = structuredClone(item.object);
    const ref = refOf(object);
    const info = cluster.info(ref);
    const at = { file: item.source.file, line: item.source.line };
    if (!info) {
      if (newCrds.has(`${ref.group}|${ref.kind}`)) {
        ref.namespace = ref.namespace ?? options.defaultNamespace;
        planned.push(pendingCrd(item, ref, object));
        continue;
      }
      const message = `unknown kind ${object.apiVersion} ${object.kind} for ${subjectOf(ref)} (${at.file}:${at.line}): the server does not serve it. Install its CustomResourceDefinition first, or fix apiVersion/kind.`;
      errors.push({ message, object: subjectOf(ref), ...at });
      continue;
    }
    if (!info.versions.includes(ref.version)) {
      const message = `${subjectOf(ref)} (${at.file}:${at.line}) uses ${object.apiVersion}, which the server does not serve; it serves ${info.versions.map((v) => (ref.group ? `${ref.group}/${v}` : v)).join(', ')}.`;
      errors.push({ message, object: subjectOf(ref), ...at });
      continue;
    }
    if (info.namespaced) {
      ref.namespace = ref.namespace ?? options.defaultNamespace;
      object.metadata.namespace = ref.namespace;
    } else {
      ref.namespace = null;
      delete object.metadata.namespace;
    }
    const key = identityOf(ref);
    const earlier = seen.get(key);
    if (earlier) {
      errors.push({
        message: `${subjectOf(ref)} is defined twice: ${earlier.source.file}:${earlier.source.line} and ${at.file}:${at.line}`,
        object: subjectOf(ref),
        ...at,
      });
      continue;
    }
    seen.set(key, item);
    if (object.kind === 'Secret' && ref.group === '') options.redactor.addSecretObject(object);
    object.metadata.labels = { ...object.metadata.labels, ...ownerLabels(options.target) };
    planned.push({
      desired: item,
      ref,
      applyObject: object,
      live: null,
      manualFields: [],
      entry: { ref, action: 'unchanged', source: item.source, group: item.group, changes: [], diff: '' },
      reportOnly: item.group ? options.reportOnlyGroups?.get(item.group) : undefined,
    });
  }

  // 2. Read live state. What the target owns comes in one cluster-wide list per kind (needed
  // anyway to find deletions); the rest in one list per kind and namespace where several
  // objects share them, else one GET each.
  const owned = await listOwned(planned, cluster, options);
  const ownedLive = (p: PlannedObject) => {
    const object = owned.get(identityOf(p.ref));
    return object && object.apiVersion === apiVersionOf(p.ref) ? object : undefined;
  };
  const live = await readLive(
    planned.filter((p) => !p.entry.note && !ownedLive(p)),
    cluster,
  );
  for (const p of planned) {
    p.live = ownedLive(p) ?? live.get(identityOf(p.ref)) ?? null;
    if (p.live?.kind === 'Secret') options.redactor.addSecretObject(p.live);
    if (p.desired.valuesNotCompared) p.applyObject = withLiveValues(p.applyObject, p.live);
  }

  // 3. Dry-run and compare, bounded.
  let done = 0;
  let warnedClientMode = false;
  const total = planned.length;
  await forEachLimited(planned, options.concurrency, async (p) => {
    try {
      if (p.entry.note) return;
      const groupRules = p.desired.group ? options.groupIgnoreRules?.get(p.desired.group) : undefined;
      const skipReason =
        (p.desired.group ? options.skippedGroups?.get(p.desired.group) : undefined) ??
        ignoredWhole(p, groupRules) ??
        isSkipped(p.applyObject) ??
        (p.live ? (isSkipped(p.live) ?? fluxApplySkip(p.applyObject, p.live)) : undefined);
      if (skipReason) {
        p.entry.action = 'skipped';
        p.entry.note = skipReason;
        return;
      }
      let mode: DiffMode = options.diffMode === 'client' ? 'client' : 'server';
      let predicted: KubeObject | null = null;
      if (mode === 'server') {
        try {
          predicted = await cluster.apply(p.applyObject, p.ref, {
            fieldManager: options.fieldManager,
            dryRun: true,
            force: true,
          });
        } catch (error) {
          if (options.diffMode === 'auto' && error instanceof KubeApiError && error.status === 403) {
            if (!warnedClientMode) {
              warnedClientMode = true;
              options.onWarning?.(
                `dry-run is forbidden (${error.message}); diffing in client mode, which compares without write verbs`,
              );
            }
            mode = 'client';
          } else if (!p.live && isMissingNamespace(error, p.ref, desiredNamespaces)) {
            p.entry.action = 'created';
            p.entry.note = `namespace ${p.ref.namespace} is new in this change`;
            p.entry.diff = unifiedDiff(null, maskOne(normalizeForDiff(p.applyObject)), subjectOf(p.ref));
            return;
          } else if (
            p.live &&
            isInvalid(error) &&
            fieldsToRemove(p.live, asStored(p.applyObject), isTakeover, options.fieldManager).length > 0
          ) {
            // A hand edit changed a list key (a Service port, a container name): the dry-run
            // merges Git's element beside the hand-made one and the server rejects the pair.
            // Remediation takes the hand-made fields over first; predict that here.
            predicted = await predictAfterTakeover(p, cluster, options.fieldManager, isTakeover);
          } else {
            throw error;
          }
        }
      }
      if (mode === 'server' && predicted && p.live) {
        predicted = await sameRevision(p, predicted, cluster, options.fieldManager);
        if (p.live?.kind === 'Secret') options.redactor.addSecretObject(p.live);
      }
      let defaultedPaths: string[] = [];
      if (mode === 'client')
        ({ predicted, defaultedPaths } = predictClientSide(
          p.applyObject,
          p.live,
          options.fieldManager,
          isTakeover,
        ));
      p.entry.diffMode = mode;
      const adoption =
        p.live && predicted?.metadata?.resourceVersion
          ? await adoptFields(
              predicted,
              asStored(p.applyObject),
              p.ref,
              mode === 'server' ? cluster : undefined,
              {
                isTakeover,
                fieldManager: options.fieldManager,
              },
            )
          : undefined;
      compare(p, predicted!, rulesOfGroup(p.desired.group), adoption);
      if (p.entry.action === 'configured' && defaultedPaths.length > 0) {
        const note = `client diff mode: the API server may default fields inside ${defaultedPaths.join(', ')}, which only a dry-run shows`;
        p.entry.note = p.entry.note ? `${p.entry.note}; ${note}` : note;
      }
    } catch (error) {
      // The server stayed unreachable or throttling for the whole retry budget: stop the
      // plan. Going on would wait out the budget again for every object left, and report
      // nothing true about them.
      if (isServerGone(error)) throw error;
      // A refused request keeps its status and what to do (grant RBAC, or diff-mode client).
      const message =
        error instanceof KubeApiError && error.hint
          ? `${error.message} (HTTP ${error.status})\n  ${error.hint}`
          : error instanceof Error
            ? error.message
            : String(error);
      p.error = {
        message,
        object: subjectOf(p.ref),
        file: p.desired.source.file,
        line: p.desired.source.line,
      };
      p.refusal = classifyRefusal(error);
      errors.push(p.error);
    } finally {
      options.onProgress?.(++done, total);
    }
  });

  for (const p of planned) {
    const why = p.desired.valuesNotCompared;
    if (why && !p.error) p.entry.note = p.entry.note ? `${why}; ${p.entry.note}` : why;
  }

  // 4. What the target owns in the cluster that Git no longer has.
  const deletions = findDeletions(planned, owned, cluster, options);
  if (options.fluxInventory?.length)
    deletions.push(...(await findFluxPrunes(planned, deletions, cluster, options)));
  if (options.undecrypted?.length) keepUnidentifiedSecrets(deletions, options.undecrypted);

  const ok = planned.filter((p) => !p.error);
  ok.sort((a, b) => compareForApply(a.ref, b.ref));
  deletions.sort((a, b) => compareForDelete(a.ref, b.ref));
  return {
    changeSet: {
      target: options.target,
      entries: [...ok.map((p) => p.entry), ...deletions.map((d) => d.entry)],
      errors: errors.map((e) => ({ ...e, message: options.redactor.redact(e.message) })),
    },
    objects: planned,
    deletions,
  };
}

function pendingCrd(item: DesiredObject, ref: ObjectRef, object: KubeObject): PlannedObject {
  return {
    desired: item,
    ref,
    applyObject: object,
    live: null,
    manualFields: [],
    entry: {
      ref,
      action: 'created',
      source: item.source,
      group: item.group,
      changes: [],
      diff: unifiedDiff(null, maskOne(normalizeForDiff(object)), subjectOf(ref)),
      note: 'its CustomResourceDefinition is new in this change and not installed yet',
    },
  };
}

/** Compares live with what applying Git would leave, and fills in the entry. */
function compare(p: PlannedObject, predicted: KubeObject, rules: IgnoreRule[], adoption?: Adoption): void {
  const title = subjectOf(p.ref);
  if (!p.live || !predicted.metadata?.resourceVersion) {
    p.entry.action = 'created';
    p.entry.diff = unifiedDiff(null, maskOne(normalizeForDiff(predicted)), title);
    return;
  }
  // Fields only take-over managers own (kubectl edit/label/set env/patch, helm install) that
  // Git does not set survive a dry-run; remediation takes them over and removes them, so the
  // preview must show that.
  p.manualFields = adoption?.removed ?? [];
  const after = adoption?.after ?? predicted;
  const notes = adoption?.notes ?? [];

  const ignored = rulesFor(p.live, rules);
  // The apply leaves ignored fields as they are live (Flux does the same).
  if (ignored.length > 0) p.applyObject = holdIgnored(p.applyObject, p.live, ignored);
  let before = normalizeForDiff(applyIgnore(p.live, ignored));
  let predictedView = normalizeForDiff(applyIgnore(after, ignored));
  ({ live: before, predicted: predictedView } = maskPair(before, predictedView));
  if (deepEqual(before, predictedView)) {
    p.entry.action = 'unchanged';
    if (notes.length > 0) p.entry.note = notes.join('; ');
    return;
  }
  p.entry.action = 'configured';
  p.entry.changes = attributeChanges(p.live, diffObjects(before, predictedView));
  if (!p.live.metadata.managedFields?.length) {
    notes.push('attribution not available: the live object has no managed fields');
  }
  if (notes.length > 0) p.entry.note = notes.join('; ');
  p.entry.diff = unifiedDiff(before, predictedView, title);
}

/** A group's rule with the path "" (helm-controller's way to leave an object out of drift detection). */
function ignoredWhole(p: PlannedObject, groupRules: IgnoreRule[] | undefined): string | undefined {
  if (!groupRules) return undefined;
  const ignored = rulesFor(p.live ?? p.applyObject, groupRules);
  return ignored.includes(WHOLE_OBJECT)
    ? `an ignore rule of ${p.desired.group} ignores the whole object`
    : undefined;
}

function maskPair(live: KubeObject, predicted: KubeObject): { live: KubeObject; predicted: KubeObject } {
  const masked = maskSecrets(live, predicted);
  return { live: masked.live!, predicted: masked.predicted! };
}

function maskOne(object: KubeObject): KubeObject {
  return maskSecrets(null, object).predicted!;
}

/**
 * The dry-run answers from the object as stored when it ran; a controller may have written
 * it since the live read (a Deployment's revision annotation, a status-driven label). Both
 * sides must be the same revision, or that write would show as drift: read again, and if it
 * moved on once more, dry-run again.
 */
async function sameRevision(
  p: PlannedObject,
  predicted: KubeObject,
  cluster: ClusterObjects,
  fieldManager: string,
): Promise<KubeObject> {
  let current = predicted;
  for (let attempt = 0; attempt < 3; attempt++) {
    const revision = current.metadata.resourceVersion;
    if (!revision || revision === p.live?.metadata.resourceVersion) return current;
    p.live = await cluster.get(p.ref);
    if (!p.live || p.live.metadata.resourceVersion === revision) return current;
    current = await cluster.apply(p.applyObject, p.ref, { fieldManager, dryRun: true, force: true });
  }
  return current;
}

function isInvalid(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 422;
}

/**
 * What applying Git leaves once the fields only people own are taken over: the live object
 * without them, Git's fields merged in, validated and defaulted by a dry-run update.
 */
async function predictAfterTakeover(
  p: PlannedObject,
  cluster: ClusterObjects,
  fieldManager: string,
  isTakeover: ManagerMatcher,
): Promise<KubeObject> {
  const live = p.live!;
  const base = removePointers(live, fieldsToRemove(live, asStored(p.applyObject), isTakeover, fieldManager));
  const merged = mergeOver(base, asStored(p.applyObject), {
    kind: live.kind,
    fields: [],
    pointer: '',
  }) as KubeObject;
  merged.metadata = { ...merged.metadata, resourceVersion: live.metadata.resourceVersion };
  delete merged.metadata.managedFields;
  return cluster.update(merged, p.ref, { fieldManager, dryRun: true });
}

function isMissingNamespace(error: unknown, ref: ObjectRef, desiredNamespaces: Set<string>): boolean {
  return (
    error instanceof KubeApiError &&
    error.status === 404 &&
    !!ref.namespace &&
    desiredNamespaces.has(ref.namespace) &&
    error.message.includes(`namespaces "${ref.namespace}" not found`)
  );
}

const LIST_THRESHOLD = 3;

async function readLive(planned: PlannedObject[], cluster: ClusterObjects): Promise<Map<string, KubeObject>> {
  const groups = new Map<string, PlannedObject[]>();
  for (const p of planned) {
    const key = `${p.ref.group}|${p.ref.version}|${p.ref.kind}|${p.ref.namespace ?? ''}`;
    const list = groups.get(key);
    if (list) list.push(p);
    else groups.set(key, [p]);
  }
  const found = new Map<string, KubeObject>();
  const tasks: (() => Promise<void>)[] = [];
  for (const members of groups.values()) {
    const first = members[0].ref;
    const info = cluster.info(first) as ResourceInfo;
    if (members.length >= LIST_THRESHOLD) {
      tasks.push(async () => {
        const wanted = new Set(members.map((m) => identityOf(m.ref)));
        for (const object of await cluster.list(info, first.version, first.namespace)) {
          const key = identityOf(refOfLive(object, info));
          if (wanted.has(key)) found.set(key, object);
        }
      });
    } else {
      for (const m of members) {
        tasks.push(async () => {
          const object = await cluster.get(m.ref);
          if (object) found.set(identityOf(m.ref), object);
        });
      }
    }
  }
  await forEachLimited(tasks, 16, (task) => task());
  return found;
}

function refOfLive(object: KubeObject, info: ResourceInfo): ObjectRef {
  const ref = refOf(object);
  if (!info.namespaced) ref.namespace = null;
  return ref;
}

function apiVersionOf(ref: Pick<ObjectRef, 'group' | 'version'>): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

/** Everything the target's owner labels mark, of the kinds in Git or in the inventory: identity → live object (candidates only). */
async function listOwned(
  planned: PlannedObject[],
  cluster: ClusterObjects,
  options: PlanOptions,
): Promise<Map<string, KubeObject>> {
  // Kinds to look at: those in Git and those in the inventory.
  const kinds = new Map<string, { info: ResourceInfo; version: string }>();
  for (const ref of [...planned.map((p) => p.ref), ...(options.inventory ?? [])]) {
    const info = cluster.info(ref);
    if (info?.verbs.includes('list') && !kinds.has(`${info.group}|${info.kind}`)) {
      kinds.set(`${info.group}|${info.kind}`, {
        info,
        version: info.versions.includes(ref.version) ? ref.version : info.versions[0],
      });
    }
  }
  const selector = ownerSelector(options.target);
  const candidates = new Map<string, KubeObject>();
  await forEachLimited([...kinds.values()], 8, async ({ info, version }) => {
    for (const object of await cluster.list(info, version, null, selector)) {
      candidates.set(identityOf(refOfLive(object, info)), object);
    }
  });
  return candidates;
}

function findDeletions(
  planned: PlannedObject[],
  candidates: Map<string, KubeObject>,
  cluster: ClusterObjects,
  options: PlanOptions,
): PlannedDeletion[] {
  const inGit = new Set(planned.map((p) => identityOf(p.ref)));
  const live: LiveCandidate[] = [...candidates].map(([identity, object]) => ({ identity, object }));
  const deletions: PlannedDeletion[] = [];
  for (const { object } of selectDeletions(live, options.inventory ?? [], inGit, options.target)) {
    const ref = refOfLive(object, cluster.info(refOf(object))!);
    if (object.kind === 'Secret') options.redactor.addSecretObject(object);
    const skipReason = isSkipped(object);
    deletions.push({
      ref,
      live: object,
      origin: 'inventory',
      entry: skipReason
        ? { ref, action: 'skipped', changes: [], diff: '', note: `not pruned: ${skipReason}` }
        : {
            ref,
            action: 'deleted',
            changes: [],
            diff: unifiedDiff(maskSecrets(normalizeForDiff(object), null).live, null, subjectOf(ref)),
          },
    });
  }
  return deletions;
}

/** Flux inventory entries that left Git and still exist: what Flux would prune. */
async function findFluxPrunes(
  planned: PlannedObject[],
  found: PlannedDeletion[],
  cluster: ClusterObjects,
  options: PlanOptions,
): Promise<PlannedDeletion[]> {
  const known = new Set([...planned.map((p) => identityOf(p.ref)), ...found.map((d) => identityOf(d.ref))]);
  const wanted = new Map<string, { ref: ObjectRef; kustomization: string }>();
  for (const { kustomization, ...entry } of options.fluxInventory ?? []) {
    const info = cluster.info(entry);
    if (!info) continue; // Its kind is gone from the server, and so is the object.
    const ref = {
      ...entry,
      version: info.versions.includes(entry.version) ? entry.version : info.versions[0],
      namespace: info.namespaced ? entry.namespace : null,
    };
    const key = identityOf(ref);
    if (!known.has(key) && !wanted.has(key)) wanted.set(key, { ref, kustomization });
  }
  const deletions: PlannedDeletion[] = [];
  await forEachLimited([...wanted.values()], 8, async ({ ref, kustomization }) => {
    const object = await cluster.get(ref);
    if (!object) return;
    if (object.kind === 'Secret') options.redactor.addSecretObject(object);
    const where = `in the Flux inventory of Kustomization ${kustomization}`;
    const skipReason = isSkipped(object) ?? fluxPruneSkip(object);
    deletions.push({
      ref,
      live: object,
      origin: 'flux',
      entry: skipReason
        ? {
            ref,
            action: 'skipped',
            changes: [],
            diff: '',
            note: `${where}; Flux would not prune it: ${skipReason}`,
          }
        : {
            ref,
            action: 'deleted',
            changes: [],
            diff: unifiedDiff(maskSecrets(normalizeForDiff(object), null).live, null, subjectOf(ref)),
            note: `${where}; Flux would prune it`,
          },
    });
  });
  return deletions;
}

/** Retries ran out on an unreachable or throttling server: nothing more can be checked. */
function isServerGone(error: unknown): boolean {
  return error instanceof KubeConnectionError || (error instanceof KubeApiError && error.status === 429);
}
