// Ignored fields in the object to apply: an apply leaves them as they are live, as Flux's
// apply does with ignore rules, instead of writing Git's value over an autoscaler's.
import type { KubeObject } from '../model.ts';
import { removePointers } from './fieldsets.ts';
import { expandWildcards } from './ignore.ts';
import { cloneJson, isPlainObject, parsePointer } from './jsondiff.ts';

/**
 * `desired` with the values at `pointers` (wildcards expanded) taken from `live`, and removed
 * where live has none: the object to apply so that ignored fields keep their live values, as
 * Flux's apply does with ignore rules. Pointers whose parent `desired` cannot hold are left alone.
 */
export function holdIgnored(desired: KubeObject, live: KubeObject, pointers: readonly string[]): KubeObject {
  const concrete = new Set<string>();
  for (const pointer of pointers) {
    const tokens = parsePointer(pointer);
    if (tokens.length === 0) continue;
    if (!tokens.includes('*')) concrete.add(pointer);
    else {
      const found: string[] = [];
      expandWildcards(live, tokens, 0, '', found);
      expandWildcards(desired, tokens, 0, '', found);
      for (const p of found) concrete.add(p);
    }
  }
  if (concrete.size === 0) return desired;
  const absent: string[] = [];
  const copy = cloneJson(desired);
  for (const pointer of concrete) {
    const tokens = parsePointer(pointer);
    const value = valueAt(live, tokens);
    if (value === undefined) absent.push(pointer);
    else setAt(copy, tokens, cloneJson(value));
  }
  return removePointers(copy, absent);
}

function valueAt(object: unknown, tokens: string[]): unknown {
  let value = object;
  for (const token of tokens) {
    if (Array.isArray(value)) value = /^\d+$/.test(token) ? value[Number(token)] : undefined;
    else if (isPlainObject(value) && Object.hasOwn(value, token)) value = value[token];
    else return undefined;
  }
  return value;
}

function setAt(object: unknown, tokens: string[], value: unknown): void {
  let parent = object;
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i];
    if (Array.isArray(parent)) {
      parent = /^\d+$/.test(token) ? parent[Number(token)] : undefined;
    } else if (isPlainObject(parent)) {
      if (!isPlainObject(parent[token]) && !Array.isArray(parent[token])) {
        if (parent[token] !== undefined) return;
        parent[token] = {};
      }
      parent = parent[token];
    } else return;
  }
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    if (/^\d+$/.test(last) && Number(last) < parent.length) parent[Number(last)] = value;
  } else if (isPlainObject(parent)) parent[last] = value;
}
