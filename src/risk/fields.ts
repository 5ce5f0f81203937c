// Field helpers the rules share: values at pointers, fields a change touches (before and after), pod specs and containers.

import { formatPointer, isPlainObject, parsePointer } from '../drift/jsondiff.ts';
import type { FieldChange, KubeObject, ObjectRef } from '../model.ts';

/** The value at a pointer, or undefined. */
export function valueAt(document: unknown, pointer: string): unknown {
  return walkTokens(document, parsePointer(pointer));
}

function walkTokens(document: unknown, tokens: readonly string[]): unknown {
  let node = document;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isPlainObject(node)) node = Object.hasOwn(node, token) ? node[token] : undefined;
    else return undefined;
  }
  return node;
}

/** One field a change touches: its pointer, and its value before and after (undefined: absent). */
export interface ChangedField {
  pointer: string;
  before: unknown;
  after: unknown;
  /** Regular expression groups of the pattern that matched the pointer. */
  groups: string[];
  change: FieldChange;
}

/**
 * Every field at or under the changes whose pointer matches `pattern` (anchored), with its value
 * before and after. A change of a whole container yields each of its fields, so a rule sees
 * `…/containers/1/image` whether the image alone changed or the container was added.
 */
export function changedFields(changes: readonly FieldChange[], pattern: RegExp): ChangedField[] {
  const out: ChangedField[] = [];
  for (const change of changes) {
    const base = parsePointer(change.path);
    visit(change.before, change.after, base, (tokens, before, after) => {
      const pointer = formatPointer(tokens);
      const match = pattern.exec(pointer);
      if (match) out.push({ pointer, before, after, groups: match.slice(1), change });
    });
  }
  return out;
}

function visit(
  before: unknown,
  after: unknown,
  tokens: string[],
  found: (tokens: string[], before: unknown, after: unknown) => void,
): void {
  found(tokens, before, after);
  if (Array.isArray(before) || Array.isArray(after)) {
    const a = Array.isArray(before) ? before : [];
    const b = Array.isArray(after) ? after : [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) visit(a[i], b[i], [...tokens, String(i)], found);
    return;
  }
  const keys = new Set([
    ...(isPlainObject(before) ? Object.keys(before) : []),
    ...(isPlainObject(after) ? Object.keys(after) : []),
  ]);
  for (const key of keys)
    visit(
      isPlainObject(before) ? before[key] : undefined,
      isPlainObject(after) ? after[key] : undefined,
      [...tokens, key],
      found,
    );
}

/** The value at a pointer after the change that holds it, for a sibling field (a container's name). */
export function afterAt(field: ChangedField, pointer: string, live: KubeObject | null): unknown {
  const base = field.change.path;
  if (pointer === base || pointer.startsWith(`${base}/`)) {
    const rest = parsePointer(pointer).slice(parsePointer(base).length);
    const inChange = walkTokens(field.change.after, rest) ?? walkTokens(field.change.before, rest);
    if (inChange !== undefined) return inChange;
  }
  return live ? valueAt(live, pointer) : undefined;
}

const WORKLOAD_POD_SPECS: Record<string, string> = {
  '|Pod': '/spec',
  '|ReplicationController': '/spec/template/spec',
  'apps|Deployment': '/spec/template/spec',
  'apps|StatefulSet': '/spec/template/spec',
  'apps|DaemonSet': '/spec/template/spec',
  'apps|ReplicaSet': '/spec/template/spec',
  'batch|Job': '/spec/template/spec',
  'batch|CronJob': '/spec/jobTemplate/spec/template/spec',
};

/** The pointer to a workload kind's pod spec, or undefined for kinds that run no Pods. */
export function podSpecPointer(ref: Pick<ObjectRef, 'group' | 'kind'>): string | undefined {
  return WORKLOAD_POD_SPECS[`${ref.group}|${ref.kind}`];
}

/** The pointer to a workload's pod template (its metadata and spec), for "does the template change". */
export function podTemplatePointer(ref: Pick<ObjectRef, 'group' | 'kind'>): string | undefined {
  const spec = podSpecPointer(ref);
  return spec && spec !== '/spec' ? spec.slice(0, -'/spec'.length) : undefined;
}

export interface Container {
  /** `containers` or `initContainers`. */
  list: string;
  name: string;
  value: Record<string, unknown>;
}

/** The containers and init containers of a pod spec, by name. */
export function containersOf(podSpec: unknown): Container[] {
  if (!isPlainObject(podSpec)) return [];
  const out: Container[] = [];
  for (const list of ['initContainers', 'containers']) {
    const items = podSpec[list];
    if (!Array.isArray(items)) continue;
    for (const value of items)
      if (isPlainObject(value) && typeof value.name === 'string') out.push({ list, name: value.name, value });
  }
  return out;
}

/** The pod spec of an object, when its kind runs Pods. */
export function podSpecOf(object: KubeObject | null, ref: Pick<ObjectRef, 'group' | 'kind'>): unknown {
  const pointer = podSpecPointer(ref);
  return object && pointer ? valueAt(object, pointer) : undefined;
}

/** A regular expression source for a pointer, with `/` kept literal. */
export function escapePattern(pointer: string): string {
  return pointer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
