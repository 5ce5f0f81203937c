// Removing fields from a copy of a JSON document by pointer.

import { cloneJson, isPlainObject, parsePointer } from './jsondiff.ts';

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
