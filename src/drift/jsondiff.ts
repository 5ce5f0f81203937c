// JSON pointers (RFC 6901), equality and copies of JSON values, and the unified YAML diff of two objects.

import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import type { KubeObject } from '../model.ts';

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

function toYaml(object: KubeObject | null): string {
  return object === null ? '' : yamlDocument(object);
}

/**
 * JSON data as block-style YAML, the way `yaml`'s stringify lays it out (2-space indent,
 * indented sequences, `|` blocks for multi-line strings), about ten times faster: the unified
 * diff of 5,000 objects spent most of its time building `yaml` document trees. Strings are
 * plain only when no YAML 1.1 or 1.2 reader could take them for anything else; otherwise
 * they are JSON-quoted, which is valid YAML. No folding of long values, no anchors.
 */
export function yamlDocument(value: unknown): string {
  const lines: string[] = [];
  if (isPlainObject(value) && Object.keys(value).length > 0) emitMap(value, '', lines);
  else if (Array.isArray(value) && value.length > 0) emitSeq(value, '', lines);
  else lines.push(inlineValue(value));
  return `${lines.join('\n')}\n`;
}

const PLAIN =
  /^(?:[A-Za-z_/]|-[A-Za-z-])[\w./@%+=,~-]*(?::[\w./@%+=,~-]+)*(?: [\w./@%+=,~-]+(?::[\w./@%+=,~-]+)*)*$/;
const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;
// Some YAML 1.1 readers take an exponent without digits before it (`E0`, `e5`) for a float.
const LOOSE_FLOAT = /^[-+]?[0-9_]*\.?[0-9_]*[eE][-+]?[0-9]+$/;
// Printable per YAML, minus what JSON.stringify leaves raw but YAML wants escaped.
const NEEDS_ESCAPE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

function quote(text: string): string {
  return JSON.stringify(text).replace(
    NEEDS_ESCAPE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function scalarText(text: string): string {
  return PLAIN.test(text) && !RESERVED.test(text) && !LOOSE_FLOAT.test(text) ? text : quote(text);
}

/** A `|` block for readable multi-line strings, when the text round-trips through one. */
function blockLines(text: string, indent: string): string[] | undefined {
  if (!text.includes('\n') || text.endsWith('\n\n') || text.startsWith(' ') || text.startsWith('\n'))
    return undefined;
  if (/[^\n\t\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd]/.test(text) || /[\uD800-\uDFFF]/.test(text))
    return undefined;
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const lines = body.split('\n');
  // Whitespace-only lines would change the block's indentation or chomping.
  if (lines.some((line) => line !== '' && line.trim() === '')) return undefined;
  return [text.endsWith('\n') ? '|' : '|-', ...lines.map((line) => (line === '' ? '' : indent + line))];
}

function inlineValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return scalarText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return '[]';
  if (isPlainObject(value)) return '{}';
  return quote(String(value));
}

function emitValue(head: string, value: unknown, indent: string, lines: string[]): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    lines.push(head);
    emitMap(value, `${indent}  `, lines);
  } else if (Array.isArray(value) && value.length > 0) {
    lines.push(head);
    emitSeq(value, `${indent}  `, lines);
  } else {
    const block = typeof value === 'string' ? blockLines(value, `${indent}  `) : undefined;
    if (block) {
      lines.push(`${head} ${block[0]}`);
      for (let i = 1; i < block.length; i++) lines.push(block[i]);
    } else lines.push(`${head} ${inlineValue(value)}`);
  }
}

function emitMap(map: Record<string, unknown>, indent: string, lines: string[]): void {
  for (const key in map) {
    if (!Object.hasOwn(map, key) || map[key] === undefined) continue;
    emitValue(`${indent}${scalarText(key)}:`, map[key], indent, lines);
  }
}

function emitSeq(list: unknown[], indent: string, lines: string[]): void {
  for (const item of list) {
    if (isPlainObject(item) && Object.keys(item).length > 0) {
      // The first key shares the line with the dash.
      const start = lines.length;
      emitMap(item, `${indent}  `, lines);
      if (lines.length === start) lines.push(`${indent}- {}`);
      else lines[start] = `${indent}- ${lines[start].slice(indent.length + 2)}`;
    } else {
      emitValue(`${indent}-`, item, indent, lines);
    }
  }
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
