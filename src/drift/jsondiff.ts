// Field-by-field comparison of two JSON documents (normalized live and predicted objects),
// reported as RFC 6901 pointers, and the unified YAML diff shown beside it.

import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { stringify } from 'yaml';
import type { FieldChange, KubeObject } from '../model.ts';

/** One RFC 6901 reference token: `~` → `~0`, `/` → `~1`. */
export function escapeToken(token: string): string {
  if (token.indexOf('~') === -1 && token.indexOf('/') === -1) return token;
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function unescapeToken(token: string): string {
  if (token.indexOf('~') === -1) return token;
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** `''` is the whole document; otherwise the pointer must start with `/`. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (pointer[0] !== '/') throw new Error(`JSON pointer "${pointer}" must start with "/"`);
  return pointer.slice(1).split('/').map(unescapeToken);
}

export function formatPointer(tokens: readonly string[]): string {
  let pointer = '';
  for (const token of tokens) pointer += `/${escapeToken(token)}`;
  return pointer;
}

/** Why a pointer is malformed, or undefined when it is a valid RFC 6901 pointer. */
export function pointerProblem(pointer: string): string | undefined {
  if (pointer === '') return undefined;
  if (pointer[0] !== '/') return 'a JSON pointer must start with "/"';
  if (/~(?![01])/.test(pointer))
    return '"~" must be followed by 0 or 1 (write "~0" for "~" and "~1" for "/")';
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON values; object key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let count = 0;
  for (const key in ra) {
    if (!Object.hasOwn(ra, key)) continue;
    count++;
    if (!Object.hasOwn(rb, key) || !deepEqual(ra[key], rb[key])) return false;
  }
  for (const key in rb) if (Object.hasOwn(rb, key)) count--;
  return count === 0;
}

/** A deep copy of a JSON value (faster than structuredClone for plain data). */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    if (Object.hasOwn(value, key)) setOwn(copy, key, cloneJson((value as Record<string, unknown>)[key]));
  }
  return copy as T;
}

/** `target[key] = value`, also for a key named `__proto__` (JSON.parse makes it a plain key). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * The changes that turn `before` into `after`, in document order (keys of `before` in their
 * order, then keys only `after` has). Objects compare by key; arrays by index: equal indices
 * recurse, an element present on one side only is one whole-element add or remove. A change of
 * type (object, array, scalar) is one change at that path. `before` absent in a change means
 * the field is added; `after` absent means it is removed.
 */
export function diffObjects(before: unknown, after: unknown, basePath = ''): FieldChange[] {
  const changes: FieldChange[] = [];
  collect(before, after, basePath, changes);
  return changes;
}

function collect(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (before === after) return;
  if (Array.isArray(before) && Array.isArray(after)) {
    const common = Math.min(before.length, after.length);
    for (let i = 0; i < common; i++) collect(before[i], after[i], `${path}/${i}`, out);
    for (let i = common; i < before.length; i++) out.push({ path: `${path}/${i}`, before: before[i] });
    for (let i = common; i < after.length; i++) out.push({ path: `${path}/${i}`, after: after[i] });
    return;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key in before) {
      if (!Object.hasOwn(before, key)) continue;
      const child = `${path}/${escapeToken(key)}`;
      if (Object.hasOwn(after, key)) collect(before[key], after[key], child, out);
      else out.push({ path: child, before: before[key] });
    }
    for (const key in after) {
      if (Object.hasOwn(after, key) && !Object.hasOwn(before, key)) {
        out.push({ path: `${path}/${escapeToken(key)}`, after: after[key] });
      }
    }
    return;
  }
  if (!deepEqual(before, after)) out.push({ path, before, after });
}

function toYaml(object: KubeObject | null): string {
  if (object === null) return '';
  // No folding of long strings and no anchors: the diff must show values as they are.
  return stringify(object, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Unified diff of the two objects as YAML (`live/<title>` → `git/<title>`); '' when equal. */
export function unifiedDiff(before: KubeObject | null, after: KubeObject | null, title: string): string {
  const live = toYaml(before);
  const git = toYaml(after);
  if (live === git) return '';
  return createTwoFilesPatch(`live/${title}`, `git/${title}`, live, git, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
