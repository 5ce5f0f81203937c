// Three-way previews: whose change each field is. A live-vs-PR diff mixes the
// author's changes with drift already in the cluster that merging would silently revert;
// comparing the base and head manifests at each changed field tells them apart:
//   base ≠ head, live = base → `pr`    (the PR changes it)
//   base ≠ head, live ≠ base → `both`  (the PR overwrites a field that also drifted: a hot-fix?)
//   base = head              → `drift` (merging reverts it; fields neither manifest sets too)
// Objects only in head are marked added by the PR; planned deletions that base has and head
// does not, removed by it.
import {
  type ChangeClass,
  type ChangeSet,
  type ChangeSetEntry,
  type DesiredObject,
  type FieldChange,
  identityOf,
  type KubeObject,
  type ObjectRef,
  refOf,
} from '../model.ts';
import { deepEqual, isPlainObject, parsePointer } from './jsondiff.ts';
import { BUILTIN_LIST_SEMANTICS, type ListSemantics, sameElement } from './list-semantics.ts';
import { normalizeForDiff } from './normalize.ts';
import type { Plan } from './plan.ts';

export interface ThreeWayOptions {
  /** For namespaced objects that name none, as the plan defaults them. */
  defaultNamespace: string;
  /** How lists match elements; default: the plan's, else the built-in table. */
  listSemantics?: ListSemantics;
}

export type FailOn = 'any' | 'drift' | 'pr';

const ABSENT = Symbol('absent');
type Found = unknown | typeof ABSENT;

/**
 * The plan's change set with every changed field classed and objects the PR adds or removes
 * marked. Pure: the plan is not modified.
 */
export function classifyChanges(plan: Plan, base: DesiredObject[], options: ThreeWayOptions): ChangeSet {
  const baseByIdentity = indexBase(base, options.defaultNamespace);
  const lists = options.listSemantics ?? plan.listSemantics ?? BUILTIN_LIST_SEMANTICS;
  const classified = new Map<ChangeSetEntry, ChangeSetEntry>();

  for (const planned of plan.objects) {
    const baseObject = baseByIdentity.get(identityOf(planned.ref));
    const entry: ChangeSetEntry = { ...planned.entry };
    if (!baseObject) entry.prStatus = 'added';
    if (planned.entry.changes.length > 0 && planned.live) {
      const views: Views = {
        base: baseObject ? manifestView(baseObject, planned.ref) : ABSENT,
        head: manifestView(planned.desired.object, planned.ref),
        live: normalizeForDiff(planned.live),
        lists,
      };
      entry.changes = followPrChanges(
        planned.entry.changes.map((change) => ({ ...change, class: classOf(change, views) })),
        views,
      );
    }
    classified.set(planned.entry, entry);
  }
  for (const deletion of plan.deletions) {
    if (deletion.entry.action !== 'deleted' || !baseByIdentity.has(identityOf(deletion.ref))) continue;
    classified.set(deletion.entry, { ...deletion.entry, prStatus: 'removed' });
  }
  return {
    ...plan.changeSet,
    entries: plan.changeSet.entries.map((entry) => classified.get(entry) ?? entry),
  };
}

/**
 * Fields neither base nor head sets, which the server fills in or drops because of the PR's
 * own change (a Service made a LoadBalancer gains a nodePort; made a ClusterIP again, loses
 * it), are the PR's, not drift: the apply adds a value nobody wrote, or removes one no manager
 * owns. A value a person or another tool wrote (owned by an update) stays drift.
 */
function followPrChanges(changes: FieldChange[], views: Views): FieldChange[] {
  if (!changes.some((change) => change.class === 'pr' || change.class === 'both')) return changes;
  return changes.map((change) => {
    if (change.class !== 'drift') return change;
    const serverValue = change.before === undefined || change.changedBy === null;
    if (!serverValue || !absentFromGit(change, views)) return change;
    return { ...change, class: 'pr' };
  });
}

function absentFromGit(change: FieldChange, views: Views): boolean {
  const walk: Walk = {
    tokens: parsePointer(change.path),
    live: views.live,
    lastGuide: guideFor(change),
    lists: views.lists,
  };
  const baseValue = views.base === ABSENT ? ABSENT : valueAt(views.base, walk);
  return baseValue === ABSENT && valueAt(views.head, walk) === ABSENT;
}

interface Views {
  base: KubeObject | typeof ABSENT;
  head: KubeObject;
  live: KubeObject;
  lists: ListSemantics;
}

function classOf(change: FieldChange, views: Views): ChangeClass {
  const tokens = parsePointer(change.path);
  // Array indices in the pointer are the live object's; manifests may list the elements of map
  // lists and sets in another order, so those are matched by key (or value).
  const walk: Walk = { tokens, live: views.live, lastGuide: guideFor(change), lists: views.lists };
  const baseValue = views.base === ABSENT ? ABSENT : valueAt(views.base, walk);
  const headValue = valueAt(views.head, walk);
  if (sameValue(baseValue, headValue)) return 'drift';
  return liveIsBase(change, valueAt(views.live, walk), baseValue) ? 'pr' : 'both';
}

/**
 * Whether the live value is what base left there. Values are compared first; when they
 * differ, managed fields decide where they are known: a value nobody owns (a server default)
 * or last written by an apply is base's in the server's canonical form (`0.5` → `500m`);
 * a value written by an update (kubectl edit/set/scale/patch, a controller) drifted.
 */
function liveIsBase(change: FieldChange, liveValue: Found, baseValue: Found): boolean {
  if (sameValue(liveValue, baseValue)) return true;
  if (change.changedBy === undefined) return false;
  if (change.changedBy === null) return true;
  return change.changedBy.operation === 'Apply';
}

function sameValue(a: Found, b: Found): boolean {
  if (a === ABSENT || b === ABSENT) return a === b;
  return deepEqual(a, b);
}

/** A manifest as the plan compares it: namespace defaulted, Secret stringData folded into data. */
function manifestView(object: KubeObject, ref: ObjectRef): KubeObject {
  const view = normalizeForDiff(object);
  if (ref.namespace === null) delete view.metadata.namespace;
  else view.metadata.namespace = ref.namespace;
  if (view.kind === 'Secret' && ref.group === '' && isPlainObject(view.stringData)) {
    const data = isPlainObject(view.data) ? { ...view.data } : {};
    for (const [key, value] of Object.entries(view.stringData))
      data[key] = Buffer.from(String(value)).toString('base64');
    view.data = data;
    delete view.stringData;
  }
  return view;
}

/** Base objects by identity; one that names no namespace is found under the default one and as cluster-scoped. */
function indexBase(base: DesiredObject[], defaultNamespace: string): Map<string, KubeObject> {
  const byIdentity = new Map<string, KubeObject>();
  for (const { object } of base) {
    const ref = refOf(object);
    if (ref.namespace === null) {
      byIdentity.set(identityOf({ ...ref, namespace: defaultNamespace }), object);
      byIdentity.set(identityOf(ref), object);
    } else {
      byIdentity.set(identityOf(ref), object);
    }
  }
  return byIdentity;
}

/** The changed element itself, for a pointer that ends at an element live does not have. */
function guideFor(change: FieldChange): Found {
  if (change.before !== undefined) return change.before;
  if (change.after !== undefined) return change.after;
  return ABSENT;
}

interface Walk {
  tokens: string[];
  /** The live object, whose elements say which element of a map list or set to look for. */
  live: KubeObject;
  /** The changed element itself, for a pointer that ends at an element live does not have. */
  lastGuide: Found;
  lists: ListSemantics;
}

/** The value at the walk's pointer in `doc`, list elements matched as the list's type says; ABSENT where `doc` has nothing. */
function valueAt(doc: unknown, walk: Walk): Found {
  const { tokens, live } = walk;
  let node: unknown = doc;
  let guide: unknown = live;
  const fields: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(token)) return ABSENT;
      const index = Number(token);
      const last = i === tokens.length - 1;
      const guideElement =
        Array.isArray(guide) && index < guide.length ? guide[index] : last ? walk.lastGuide : ABSENT;
      const list = walk.lists.listType(live.apiVersion, live.kind, fields);
      if (list.type === 'atomic') node = index < node.length ? node[index] : ABSENT;
      else {
        const at = node.findIndex((element) => sameElement(element, guideElement, list));
        node = at === -1 ? ABSENT : node[at];
      }
      guide = guideElement;
    } else if (isPlainObject(node)) {
      if (!Object.hasOwn(node, token)) return ABSENT;
      node = node[token];
      guide = isPlainObject(guide) ? guide[token] : undefined;
      fields.push(token);
    } else {
      return ABSENT;
    }
    if (node === ABSENT) return ABSENT;
  }
  return node;
}

/** Whether the entries hold changes that fail the check under `failOn`; unclassed changes count for every setting. */
export function failsOn(
  entries: ReadonlyArray<Pick<ChangeSetEntry, 'action' | 'changes' | 'prStatus'>>,
  failOn: FailOn,
): boolean {
  const wanted: ReadonlySet<ChangeClass> =
    failOn === 'any'
      ? new Set(['pr', 'drift', 'both'])
      : failOn === 'pr'
        ? new Set(['pr', 'both'])
        : new Set(['drift', 'both']);
  for (const entry of entries) {
    if (entry.action === 'created' || entry.action === 'deleted') {
      // An object the PR adds or removes is the PR's; one missing from or left in the cluster otherwise is drift.
      const own: ChangeClass = entry.prStatus ? 'pr' : 'drift';
      if (failOn === 'any' || wanted.has(own)) return true;
    } else if (entry.action === 'configured') {
      if (entry.changes.length === 0 && failOn === 'any') return true;
      if (entry.changes.some((change) => change.class === undefined || wanted.has(change.class))) return true;
    }
  }
  return false;
}
