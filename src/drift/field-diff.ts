// Field-by-field comparison of normalized live and predicted objects: each change as an RFC 6901
// pointer and, where list semantics are known, as a keyed path (`spec.containers[web].image`).

import type { FieldChange } from '../model.ts';
import { deepEqual, escapeToken, isPlainObject } from './jsondiff.ts';
import { keyValue, type ListSemantics, type ListType, sameElement } from './list-semantics.ts';

interface Walk {
  /** The object's kind, and how its lists merge; absent: lists compare by index, no keyed paths. */
  lists?: { semantics: ListSemantics; apiVersion: string; kind: string };
  out: FieldChange[];
}

interface At {
  pointer: string;
  keyed: string;
  /** Property names from the root, without list indices. */
  fields: string[];
}

/**
 * The changes that turn `before` into `after`, in document order (keys of `before` in their
 * order, then keys only `after` has). Objects compare by key. A list that `lists` says is a
 * map or a set compares element by key: an element inserted anywhere is one added change, a
 * missing one one removed change, and matched elements recurse (pointers carry `before`'s
 * index, added elements `after`'s); an element whose key changed in place is compared field by
 * field; a list whose elements only moved is one change of the whole
 * list. Other lists compare by index. A change of type (object, array, scalar) is one change at
 * that path. `before` absent in a change means the field is added; `after` absent, removed.
 * With `lists` (and objects that name apiVersion and kind), changes carry `keyedPath`.
 */
export function diffObjects(
  before: unknown,
  after: unknown,
  basePath = '',
  lists?: ListSemantics,
): FieldChange[] {
  const walk: Walk = { out: [] };
  if (
    lists &&
    isPlainObject(before) &&
    typeof before.apiVersion === 'string' &&
    typeof before.kind === 'string'
  )
    walk.lists = { semantics: lists, apiVersion: before.apiVersion, kind: before.kind };
  collect(before, after, { pointer: basePath, keyed: '', fields: [] }, walk);
  return walk.out;
}

function push(walk: Walk, at: At, change: Omit<FieldChange, 'path'>): void {
  const out: FieldChange = { path: at.pointer, ...change };
  if (walk.lists) out.keyedPath = at.keyed;
  walk.out.push(out);
}

function collect(before: unknown, after: unknown, at: At, walk: Walk): void {
  if (before === after) return;
  if (Array.isArray(before) && Array.isArray(after)) {
    const list = walk.lists
      ? walk.lists.semantics.listType(walk.lists.apiVersion, walk.lists.kind, at.fields)
      : undefined;
    if (list && list.type !== 'atomic' && matchable(before, list) && matchable(after, list))
      collectKeyed(before, after, list, at, walk);
    else collectByIndex(before, after, at, walk);
    return;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key in before) {
      if (!Object.hasOwn(before, key)) continue;
      const child = fieldAt(at, key);
      if (Object.hasOwn(after, key)) collect(before[key], after[key], child, walk);
      else push(walk, child, { before: before[key] });
    }
    for (const key in after) {
      if (Object.hasOwn(after, key) && !Object.hasOwn(before, key))
        push(walk, fieldAt(at, key), { after: after[key] });
    }
    return;
  }
  if (!deepEqual(before, after)) push(walk, at, { before, after });
}

function collectByIndex(before: unknown[], after: unknown[], at: At, walk: Walk): void {
  const common = Math.min(before.length, after.length);
  const element = (i: number) => elementAt(at, i, `[${i}]`);
  for (let i = 0; i < common; i++) collect(before[i], after[i], element(i), walk);
  for (let i = common; i < before.length; i++) push(walk, element(i), { before: before[i] });
  for (let i = common; i < after.length; i++) push(walk, element(i), { after: after[i] });
}

function collectKeyed(before: unknown[], after: unknown[], list: ListType, at: At, walk: Walk): void {
  const start = walk.out.length;
  const used = new Array<boolean>(after.length).fill(false);
  const partner = before.map((element) => {
    const j = after.findIndex((candidate, k) => !used[k] && sameElement(element, candidate, list));
    if (j !== -1) used[j] = true;
    return j;
  });
  for (let i = 0; i < before.length; i++) {
    let j = partner[i];
    // An element whose key alone changed in place (a Service port 8080 → 80) reads best as that
    // field's change, not as one element removed and another added.
    if (j === -1 && list.type === 'map' && i < after.length && !used[i] && isPlainObject(after[i])) {
      j = i;
      used[i] = true;
    }
    const child = elementAt(at, i, elementLabel(before[i], list));
    if (j === -1) push(walk, child, { before: before[i] });
    else collect(before[i], after[j], child, walk);
  }
  for (let j = 0; j < after.length; j++) {
    if (!used[j]) push(walk, elementAt(at, j, elementLabel(after[j], list)), { after: after[j] });
  }
  // Same elements, another order: applying Git reorders the list.
  if (walk.out.length === start && !deepEqual(before, after)) push(walk, at, { before, after });
}

/** Every element can be told by its key: objects for map lists (sets take anything). */
function matchable(elements: unknown[], list: ListType): boolean {
  return list.type === 'set' || elements.every(isPlainObject);
}

function fieldAt(at: At, name: string): At {
  const keyedName = /^[A-Za-z_$][\w$-]*$/.test(name) ? name : undefined;
  return {
    pointer: `${at.pointer}/${escapeToken(name)}`,
    keyed: keyedName
      ? at.keyed === ''
        ? keyedName
        : `${at.keyed}.${keyedName}`
      : `${at.keyed}[${JSON.stringify(name)}]`,
    fields: [...at.fields, name],
  };
}

function elementAt(at: At, index: number, label: string): At {
  return { pointer: `${at.pointer}/${index}`, keyed: `${at.keyed}${label}`, fields: at.fields };
}

/** `[web]`, `[8080,TCP]` for a map list's element; `[value]` for a set's. */
export function elementLabel(element: unknown, list: ListType): string {
  if (list.type === 'map' && isPlainObject(element))
    return `[${list.keys.map((key) => keyText(keyValue(element, key))).join(',')}]`;
  return `[${keyText(element)}]`;
}

function keyText(value: unknown): string {
  if (typeof value === 'string' && /^[^[\]",=\s]+$/.test(value)) return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? 'null';
}
