// How the server stores a value written whole (an atomic list or map, which the apply replaces),
// so that the in-sync proof (proof.ts) compares Git with live as the server would store Git:
// defaults the schema publishes (and, for built-in types, the table in builtin-defaults.ts)
// filled in, a built-in type's zero scalars and empty lists and maps that it never stores left
// out, quantities in canonical form. Pure; see docs/in-sync-proof.md.

import { UNPUBLISHED_DEFAULTS, ZERO_NOT_STORED } from './builtin-defaults.ts';
import { cloneJson, isPlainObject } from './jsondiff.ts';
import type { ListSemantics, SchemaFacts } from './list-semantics.ts';
import { storedQuantity } from './quantity.ts';

/** Where a value sits: the kind's schema, the field's path (no list indices), and whether it is a list's element. */
export interface SchemaPlace {
  lists: ListSemantics;
  apiVersion: string;
  kind: string;
  fields: readonly string[];
  item: boolean;
}

const BUILTIN_PREFIX = 'io.k8s.api.';
/**
 * Types compiled into kube-apiserver, stored as Go values: k8s.io/api, apimachinery's (ObjectMeta),
 * CustomResourceDefinitions' and APIServices'. Custom resources are stored as written.
 */
const GO_TYPES = [
  'io.k8s.api.',
  'io.k8s.apimachinery.',
  'io.k8s.apiextensions-apiserver.',
  'io.k8s.kube-aggregator.',
];
const isBuiltin = (facts: SchemaFacts | undefined) =>
  GO_TYPES.some((prefix) => facts?.name?.startsWith(prefix) === true);

const factsAt = (place: SchemaPlace): SchemaFacts | undefined =>
  place.lists.facts?.(place.apiVersion, place.kind, place.fields, place.item);

const child = (place: SchemaPlace, key: string): SchemaPlace => ({
  ...place,
  fields: [...place.fields, key],
  item: false,
});

/** The built-in type's table name (`core.v1.PodSpec`) for facts of a k8s.io/api type, else undefined. */
function builtinName(facts: SchemaFacts | undefined): string | undefined {
  return facts?.name?.startsWith(BUILTIN_PREFIX) ? facts.name.slice(BUILTIN_PREFIX.length) : undefined;
}

const isZero = (value: unknown) => value === 0 || value === false || value === '';
const isEmptyCollection = (value: unknown) =>
  (Array.isArray(value) && value.length === 0) || (isPlainObject(value) && Object.keys(value).length === 0);

/**
 * Whether the built-in struct at `place` never stores `value` in its field `key`: `null` (Go's
 * nil or zero), a zero scalar of a field in ZERO_NOT_STORED, or an empty list or map (Go slices
 * and maps are stored as absent or null when empty). Such a value written and the field left out are the same object.
 */
export function notStored(place: SchemaPlace, key: string, value: unknown): boolean {
  const facts = factsAt(place);
  if (!facts || !isBuiltin(facts)) return false;
  if (value === null) return true;
  if (isZero(value)) return ZERO_NOT_STORED[builtinName(facts) ?? '']?.includes(key) ?? false;
  return facts.collections.has(key) && isEmptyCollection(value);
}

/** Whether `key` is a field of the built-in struct at `place` whose zero the server does not store. */
export function zeroNotStored(place: SchemaPlace, key: string): boolean {
  const name = builtinName(factsAt(place));
  return name !== undefined && (ZERO_NOT_STORED[name]?.includes(key) ?? false);
}

/**
 * `value` (Git's, written whole at `place`) as the server would store it. Where the schema says
 * nothing, the value is kept as written: a difference then leaves the proof unproven.
 */
export function storedForm(value: unknown, place: SchemaPlace): unknown {
  if (Array.isArray(value)) return value.map((element) => storedForm(element, { ...place, item: true }));
  if (!isPlainObject(value)) {
    const structure = place.lists.structure?.(place.apiVersion, place.kind, place.fields, place.item);
    const quantity = structure?.kind === 'scalar' && structure.quantity;
    return quantity && (typeof value === 'string' || typeof value === 'number')
      ? (storedQuantity(value) ?? value)
      : value;
  }
  const facts = factsAt(place);
  // A map (no properties): its values in their stored form (quantities), nothing filled in.
  if (!facts)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, storedForm(v, child(place, k))]));
  const name = builtinName(facts);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (notStored(place, key, value[key])) continue;
    out[key] = storedForm(value[key], child(place, key));
  }
  const defaults = { ...facts.defaults, ...(name ? UNPUBLISHED_DEFAULTS[name]?.(value) : undefined) };
  for (const [key, fallback] of Object.entries(defaults)) {
    if (Object.hasOwn(out, key) || Object.hasOwn(value, key) || notStored(place, key, fallback)) continue;
    out[key] = storedForm(cloneJson(fallback), child(place, key));
  }
  return out;
}

/**
 * Live's `value` at `place` with what a built-in type stores for "nothing" left out: `null`
 * and empty lists and maps, which decode to the same Go value as an absent field.
 */
export function liveForm(value: unknown, place: SchemaPlace): unknown {
  if (Array.isArray(value)) return value.map((element) => liveForm(element, { ...place, item: true }));
  if (!isPlainObject(value)) return value;
  const facts = factsAt(place);
  if (!facts) return value;
  const builtin = isBuiltin(facts);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (builtin && (v === null || (facts.collections.has(key) && isEmptyCollection(v)))) continue;
    out[key] = liveForm(v, child(place, key));
  }
  return out;
}
