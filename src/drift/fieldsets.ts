// Managed fields (structured-merge-diff `fieldsV1` sets): which pointers a field manager owns,
// which hand-made fields Git does not set (drift that remediation removes), and who
// last wrote a drifted value (attribution).

import type { Attribution, FieldChange, FieldsV1, KubeObject, ManagedFieldsEntry } from '../model.ts';
import { cloneJson, escapeToken, isPlainObject, parsePointer } from './jsondiff.ts';
import { isCreationManager, isKnownController, isManualManager } from './managers.ts';
import { LAST_APPLIED_ANNOTATION } from './normalize.ts';

export { isKnownController, isManualManager } from './managers.ts';

// ---------------------------------------------------------------------------------------------
// Resolving field-set keys against JSON values

const ABSENT = Symbol('absent');
type Maybe = unknown | typeof ABSENT;

interface ListKey {
  kind: 'k' | 'v' | 'i';
  /** For `k:` the sorted key field names joined by NUL; for `v:` 'v'; for `i:` 'i'. */
  signature: string;
  names: string[];
  /** Canonical JSON of the key values (k:), of the value (v:), or the index (i:). */
  canonical: string;
}

const listKeyCache = new Map<string, ListKey | null>();

function parseListKey(key: string): ListKey | null {
  let parsed = listKeyCache.get(key);
  if (parsed !== undefined) return parsed;
  parsed = null;
  try {
    if (key.startsWith('k:')) {
      const fields = JSON.parse(key.slice(2)) as unknown;
      if (isPlainObject(fields)) {
        const names = Object.keys(fields).sort();
        parsed = { kind: 'k', signature: names.join('\0'), names, canonical: keyCanonical(fields, names) };
      }
    } else if (key.startsWith('v:')) {
      parsed = { kind: 'v', signature: 'v', names: [], canonical: stableJson(JSON.parse(key.slice(2))) };
    } else if (key.startsWith('i:')) {
      parsed = { kind: 'i', signature: 'i', names: [], canonical: key.slice(2) };
    }
  } catch {
    parsed = null;
  }
  // Keys repeat across objects ("k:{\"name\":\"main\"}"); bound the cache all the same.
  if (listKeyCache.size > 50_000) listKeyCache.clear();
  listKeyCache.set(key, parsed);
  return parsed;
}

function stableJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

function keyCanonical(element: Record<string, unknown>, names: string[]): string {
  // The API server defaults `protocol` to TCP in ports lists keyed by it, and Git often leaves
  // it out (kubernetes-sigs/structured-merge-diff#130; Flux normalizes the same way).
  return stableJson(names.map((n) => (n === 'protocol' && element[n] === undefined ? 'TCP' : element[n])));
}

const listIndexCache = new WeakMap<unknown[], Map<string, Map<string, number>>>();

function indexInList(list: unknown[], key: ListKey): number {
  if (key.kind === 'i') {
    const i = Number(key.canonical);
    return Number.isInteger(i) && i >= 0 && i < list.length ? i : -1;
  }
  let bySignature = listIndexCache.get(list);
  if (!bySignature) {
    bySignature = new Map();
    listIndexCache.set(list, bySignature);
  }
  let index = bySignature.get(key.signature);
  if (!index) {
    index = new Map();
    for (let i = 0; i < list.length; i++) {
      const element = list[i];
      let canonical: string | undefined;
      if (key.kind === 'v') canonical = stableJson(element);
      else if (isPlainObject(element)) canonical = keyCanonical(element, key.names);
      if (canonical !== undefined && !index.has(canonical)) index.set(canonical, i);
    }
    bySignature.set(key.signature, index);
  }
  return index.get(key.canonical) ?? -1;
}

/** The child of `container` a field-set key selects: its value and its pointer token. */
function resolveKey(container: unknown, key: string): { value: unknown; token: string } | undefined {
  if (key.startsWith('f:')) {
    const name = key.slice(2);
    if (isPlainObject(container) && Object.hasOwn(container, name)) {
      return { value: container[name], token: escapeToken(name) };
    }
    return undefined;
  }
  if (!Array.isArray(container)) return undefined;
  const listKey = parseListKey(key);
  if (!listKey) return undefined;
  const i = indexInList(container, listKey);
  return i === -1 ? undefined : { value: container[i], token: String(i) };
}

function childOf(container: Maybe, key: string): Maybe {
  if (container === ABSENT) return ABSENT;
  const found = resolveKey(container, key);
  return found ? found.value : ABSENT;
}

function isLeafSet(fields: FieldsV1): boolean {
  for (const key in fields) if (key !== '.') return false;
  return true;
}

/**
 * The pointers in `object` of the leaves `fields` covers. A key whose subtree is empty or only
 * `.` is a leaf; list elements (`k:`, `v:`, `i:`) are addressed by their index in `object`;
 * entries the object does not hold are left out.
 */
export function fieldPointers(object: unknown, fields: FieldsV1): string[] {
  const out: string[] = [];
  const walk = (value: unknown, set: FieldsV1, pointer: string): void => {
    for (const key in set) {
      if (key === '.') continue;
      const found = resolveKey(value, key);
      if (!found) continue;
      const child = `${pointer}/${found.token}`;
      const sub = set[key] ?? {};
      if (isLeafSet(sub)) out.push(child);
      else walk(found.value, sub, child);
    }
  };
  walk(object, fields, '');
  return out;
}

// ---------------------------------------------------------------------------------------------
// The union of all managed-fields entries of one live object, resolved against it once.

interface OwnershipNode {
  children: Map<string, OwnershipNode>;
  /** Entries (indices into managedFields) whose set holds this node or anything beneath it. */
  coveredBy: number[];
  /** Entries owning the node itself: as a leaf, or through `.`. */
  ownedBy: number[];
}

function newNode(): OwnershipNode {
  return { children: new Map(), coveredBy: [], ownedBy: [] };
}

function pushOnce(list: number[], entry: number): void {
  if (list[list.length - 1] !== entry) list.push(entry);
}

function mergeSet(node: OwnershipNode, fields: FieldsV1, entry: number): void {
  for (const key in fields) {
    if (key === '.') {
      pushOnce(node.ownedBy, entry);
      continue;
    }
    let child = node.children.get(key);
    if (!child) {
      child = newNode();
      node.children.set(key, child);
    }
    pushOnce(child.coveredBy, entry);
    const sub = fields[key] ?? {};
    if (isLeafSet(sub)) pushOnce(child.ownedBy, entry);
    mergeSet(child, sub, entry);
  }
}

interface ResolvedChild {
  key: string;
  node: OwnershipNode | undefined;
  value: unknown;
  token: string;
}

/** The live children of `value` in document order, each with its node in the union tree (if any). */
function liveChildren(node: OwnershipNode, value: unknown): ResolvedChild[] {
  const out: ResolvedChild[] = [];
  if (Array.isArray(value)) {
    const byIndex: ResolvedChild[] = new Array(value.length);
    for (const [key, child] of node.children) {
      if (key.startsWith('f:')) continue;
      const listKey = parseListKey(key);
      if (!listKey) continue;
      const i = indexInList(value, listKey);
      if (i !== -1 && !byIndex[i]) byIndex[i] = { key, node: child, value: value[i], token: String(i) };
    }
    for (let i = 0; i < value.length; i++) {
      out.push(byIndex[i] ?? { key: `i:${i}`, node: undefined, value: value[i], token: String(i) });
    }
  } else if (isPlainObject(value)) {
    for (const name in value) {
      if (!Object.hasOwn(value, name)) continue;
      const key = `f:${name}`;
      out.push({ key, node: node.children.get(key), value: value[name], token: escapeToken(name) });
    }
  }
  return out;
}

interface OwnershipIndex {
  entries: ManagedFieldsEntry[];
  root: OwnershipNode;
  /** Pointer (in the live object) → node, for every node the live object holds. */
  byPointer: Map<string, OwnershipNode>;
}

const indexCache = new WeakMap<KubeObject, OwnershipIndex | null>();

/** Built once per live object (cached), so attributing many fields costs one walk. */
function ownershipIndex(live: KubeObject): OwnershipIndex | null {
  const cached = indexCache.get(live);
  if (cached !== undefined) return cached;
  const entries = live.metadata?.managedFields;
  let index: OwnershipIndex | null = null;
  if (Array.isArray(entries) && entries.length > 0) {
    const root = newNode();
    entries.forEach((entry, i) => {
      if (entry.fieldsV1) mergeSet(root, entry.fieldsV1, i);
    });
    const byPointer = new Map<string, OwnershipNode>();
    const walk = (node: OwnershipNode, value: unknown, pointer: string): void => {
      byPointer.set(pointer, node);
      if (node.children.size === 0) return;
      for (const child of liveChildren(node, value)) {
        if (child.node) walk(child.node, child.value, `${pointer}/${child.token}`);
      }
    };
    walk(root, live, '');
    index = { entries, root, byPointer };
  }
  indexCache.set(live, index);
  return index;
}

// ---------------------------------------------------------------------------------------------
// Fields to remove: hand-made fields that Git does not set

export interface FieldsToRemoveOptions {
  /**
   * Managers whose Update entry may record a whole object at creation, server defaults
   * included (`kubectl create`, client-side `kubectl apply`, `before-first-apply`, `helm
   * install`; default `isCreationManager`). Their ownership counts as manual only where the
   * `last-applied-configuration` annotation holds the field: elsewhere they may own what the
   * server defaulted, and reporting that would be false drift.
   */
  creationManagers?: readonly string[];
  /**
   * Count creation entries as manual everywhere: the caller checks the result against server
   * defaults (a dry-run of the object without those fields) before reporting anything.
   */
  creationUnchecked?: boolean;
  /** Pointers never reported (default: `/status`, server-written metadata, last-applied). */
  exclude?: (pointer: string) => boolean;
}

const KEPT_METADATA = new Set(['labels', 'annotations', 'finalizers']);
const LAST_APPLIED_POINTER = `/metadata/annotations/${escapeToken(LAST_APPLIED_ANNOTATION)}`;

/** What `normalizeForDiff` does not compare is never reported either. */
export function excludedFromRemoval(pointer: string): boolean {
  if (pointer === '/status' || pointer.startsWith('/status/')) return true;
  if (pointer.startsWith('/metadata/')) {
    const end = pointer.indexOf('/', 10);
    const field = pointer.slice(10, end === -1 ? undefined : end);
    if (!KEPT_METADATA.has(field)) return true;
    if (pointer === LAST_APPLIED_POINTER) return true;
  }
  return pointer === '/apiVersion' || pointer === '/kind';
}

/**
 * Pointers (in `live`) of fields that only manual managers own and that `desired` does not
 * set: the drift a `kubectl label`, `kubectl set env`, `kubectl edit` or an old `kubectl apply`
 * leaves behind, which survives a server-side apply dry-run because another manager owns it.
 *
 * A node of the live object is removable when:
 * - `desired` does not hold it, walking `desired` along the same field-set path (`f:x` →
 *   property x; `k:{…}` → the element whose key fields are equal; `v:` → the equal element;
 *   `i:n` → index n);
 * - every managedFields entry whose set holds the node or anything beneath it is manual
 *   (`isManual`, and never `selfManager`); an entry of a creation manager counts as manual
 *   only where last-applied-configuration holds the node (see `creationManagers`);
 * - and it is owned whole: as a leaf or through `.`, or every live child of it is removable.
 * Only the highest removable node is returned (a whole list element or map key, not each leaf
 * under it), in document order. Fields owned by controllers are never returned.
 */
export function fieldsToRemove(
  live: KubeObject,
  desired: KubeObject,
  isManual: (manager: string) => boolean = isManualManager,
  selfManager = 'kube-drift',
  options: FieldsToRemoveOptions = {},
): string[] {
  const index = ownershipIndex(live);
  if (!index) return [];
  const exclude = options.exclude ?? excludedFromRemoval;
  const listed = options.creationManagers && new Set(options.creationManagers);
  const isCreation = listed ? (m: string) => listed.has(m) : isCreationManager;
  // Per entry: 0 not manual, 1 manual, 2 manual only where last-applied holds the field.
  const kind = index.entries.map((entry) => {
    const manager = entry.manager ?? '';
    if (manager === selfManager || !isManual(manager)) return 0;
    return entry.operation === 'Update' && isCreation(manager) && !options.creationUnchecked ? 2 : 1;
  });
  const lastApplied = parseLastApplied(live);

  const allManual = (node: OwnershipNode, applied: Maybe): boolean => {
    for (const entry of node.coveredBy) {
      const k = kind[entry];
      if (k === 0 || (k === 2 && applied === ABSENT)) return false;
    }
    return true;
  };

  const removable = (node: OwnershipNode, value: unknown, applied: Maybe, pointer: string): boolean => {
    if (!allManual(node, applied)) return false;
    const children = typeof value === 'object' && value !== null ? liveChildren(node, value) : [];
    // Removing the parent would take an excluded field (last-applied-configuration) with it.
    for (const child of children) if (exclude(`${pointer}/${child.token}`)) return false;
    if (node.ownedBy.length > 0) return true;
    if (typeof value !== 'object' || value === null) return false;
    for (const child of children) {
      const path = `${pointer}/${child.token}`;
      if (!child.node || !removable(child.node, child.value, childOf(applied, child.key), path)) return false;
    }
    return true;
  };

  const out: string[] = [];
  const walk = (node: OwnershipNode, value: unknown, want: Maybe, applied: Maybe, pointer: string): void => {
    if (node.children.size === 0) return;
    for (const child of liveChildren(node, value)) {
      if (!child.node) continue;
      const path = `${pointer}/${child.token}`;
      if (exclude(path)) continue;
      const wantChild = childOf(want, child.key);
      const appliedChild = childOf(applied, child.key);
      if (wantChild === ABSENT && removable(child.node, child.value, appliedChild, path)) out.push(path);
      else walk(child.node, child.value, wantChild, appliedChild, path);
    }
  };
  walk(index.root, live, desired, lastApplied, '');
  return out;
}

function parseLastApplied(live: KubeObject): Maybe {
  const text = live.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string') return ABSENT;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return ABSENT;
  }
}

/**
 * A copy of `object` without the values at `pointers` (missing paths are fine). Array elements
 * go from the highest index down, and deeper paths before their parents, so indices stay right.
 */
export function removePointers<T>(object: T, pointers: readonly string[]): T {
  if (pointers.length === 0) return object;
  const paths = pointers.map(parsePointer).sort(compareTokensDescending);
  const copy = cloneJson(object);
  for (const tokens of paths) {
    if (tokens.length === 0) continue;
    let parent: unknown = copy;
    for (let i = 0; i < tokens.length - 1 && parent !== undefined; i++) parent = stepInto(parent, tokens[i]);
    const last = tokens[tokens.length - 1];
    if (Array.isArray(parent)) {
      const i = arrayIndex(last, parent.length);
      if (i !== -1) parent.splice(i, 1);
    } else if (isPlainObject(parent) && Object.hasOwn(parent, last)) {
      delete parent[last];
    }
  }
  return copy;
}

function stepInto(value: unknown, token: string): unknown {
  if (Array.isArray(value)) {
    const i = arrayIndex(token, value.length);
    return i === -1 ? undefined : value[i];
  }
  if (isPlainObject(value) && Object.hasOwn(value, token)) return value[token];
  return undefined;
}

function arrayIndex(token: string, length: number): number {
  if (!/^(0|[1-9]\d*)$/.test(token)) return -1;
  const i = Number(token);
  return i < length ? i : -1;
}

function compareTokensDescending(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    const na = /^\d+$/.test(a[i]);
    const nb = /^\d+$/.test(b[i]);
    if (na && nb) return Number(b[i]) - Number(a[i]);
    return a[i] < b[i] ? 1 : -1;
  }
  return b.length - a.length;
}

// ---------------------------------------------------------------------------------------------
// Attribution

/**
 * The managedFields entry that owns the live value at `pointer`, tried in this order: entries
 * owning the node itself (a leaf or `.`); entries owning something beneath it (a map or list
 * changed as a whole); the entries owning the nearest ancestor whole (an atomic list or map).
 * Where several entries qualify, the one with the latest `time` wins: the last writer is
 * whose value is live, the only honest guess managed fields allow. Under Apply several
 * managers co-own a value they all set to the same thing, so the winner is one of them.
 *
 * undefined: the object has no managed fields (attribution not available).
 * null: managed fields exist but none covers the path.
 */
export function attributeField(live: KubeObject, pointer: string): Attribution | null | undefined {
  const index = ownershipIndex(live);
  if (!index) return undefined;
  const node = index.byPointer.get(pointer);
  if (node && node.ownedBy.length > 0) return attribution(index.entries, node.ownedBy);
  if (node && node.coveredBy.length > 0) return attribution(index.entries, node.coveredBy);
  let parent = pointer;
  while (parent !== '') {
    parent = parent.slice(0, parent.lastIndexOf('/'));
    const ancestor = index.byPointer.get(parent);
    if (ancestor && ancestor.ownedBy.length > 0) return attribution(index.entries, ancestor.ownedBy);
  }
  return null;
}

function attribution(entries: ManagedFieldsEntry[], owners: number[]): Attribution {
  let best = entries[owners[0]];
  for (const i of owners) {
    if ((entries[i].time ?? '') > (best.time ?? '')) best = entries[i];
  }
  const manager = best.manager ?? '';
  const result: Attribution = {
    manager,
    operation: best.operation ?? '',
    controller: isKnownController(manager),
  };
  if (best.subresource) result.subresource = best.subresource;
  if (best.time) result.time = best.time;
  return result;
}

/**
 * Each change with `changedBy` set from `live`'s managed fields. A change that adds a field
 * (no `before`) is left without: the field is new from Git, nobody in the cluster wrote it.
 * Objects without managed fields leave `changedBy` absent (not available).
 */
export function attributeChanges(live: KubeObject, changes: FieldChange[]): FieldChange[] {
  if (!ownershipIndex(live)) return changes;
  return changes.map((change) => {
    if (!('before' in change) || change.before === undefined) return change;
    const changedBy = attributeField(live, change.path);
    return changedBy === undefined ? change : { ...change, changedBy };
  });
}
