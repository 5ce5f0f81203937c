// Field-set keys (`f:`, `k:{…}`, `v:`, `i:`) of managed fields, resolved against JSON values.

import type { FieldsV1 } from '../model.ts';
import { escapeToken, isPlainObject } from './jsondiff.ts';
import { keyValue } from './list-semantics.ts';

export const ABSENT = Symbol('absent');
export type Maybe = unknown | typeof ABSENT;

export interface ListKey {
  kind: 'k' | 'v' | 'i';
  /** For `k:` the sorted key field names joined by NUL; for `v:` 'v'; for `i:` 'i'. */
  signature: string;
  names: string[];
  /** Canonical JSON of the key values (k:), of the value (v:), or the index (i:). */
  canonical: string;
}

const listKeyCache = new Map<string, ListKey | null>();

export function parseListKey(key: string): ListKey | null {
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
  return stableJson(names.map((name) => keyValue(element, name)));
}

/**
 * Where each keyed element sits in the lists of one walk. Made per walk (never shared across
 * calls): the lists it indexes are the caller's, and a later change to them would go unseen.
 */
export class ListPositions {
  private readonly byList = new WeakMap<unknown[], Map<string, Map<string, number>>>();

  indexOf(list: unknown[], key: ListKey): number {
    if (key.kind === 'i') {
      const i = Number(key.canonical);
      return Number.isInteger(i) && i >= 0 && i < list.length ? i : -1;
    }
    let bySignature = this.byList.get(list);
    if (!bySignature) {
      bySignature = new Map();
      this.byList.set(list, bySignature);
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
  resolve(container: unknown, key: string): { value: unknown; token: string } | undefined {
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
    const i = this.indexOf(container, listKey);
    return i === -1 ? undefined : { value: container[i], token: String(i) };
  }

  childOf(container: Maybe, key: string): Maybe {
    if (container === ABSENT) return ABSENT;
    const found = this.resolve(container, key);
    return found ? found.value : ABSENT;
  }
}

export function isLeafSet(fields: FieldsV1): boolean {
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
  const positions = new ListPositions();
  const walk = (value: unknown, set: FieldsV1, pointer: string): void => {
    for (const key in set) {
      if (key === '.') continue;
      const found = positions.resolve(value, key);
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
