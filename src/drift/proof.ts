// The in-sync proof: whether a server-side apply of Git's object can change anything in the live
// object, decided from the live object alone, so that the dry-run may be skipped. Pure; anything
// it cannot decide for certain is "unproven" and the dry-run runs (docs/in-sync-proof.md).

import type { FieldsV1, KubeObject } from '../model.ts';
import { ListPositions } from './fieldset-keys.ts';
import { fieldsToRemove } from './fieldsets.ts';
import { deepEqual, escapeToken, isPlainObject } from './jsondiff.ts';
import { keyValue, type ListSemantics, type ListType } from './list-semantics.ts';
import { OWNER_PREFIX } from './normalize.ts';
import { asStored } from './predict.ts';
import { storedQuantity } from './quantity.ts';
import { liveForm, notStored, type SchemaPlace, storedForm, zeroNotStored } from './stored-form.ts';

/** The proof's verdict: `holds`, or the first reason it does not, with the field concerned. */
export type Proof = { holds: true } | { holds: false; reason: string };

export interface ProofInput {
  /** Git's object as it would be applied (namespace defaulted, owner labels added). */
  applyObject: KubeObject;
  live: KubeObject;
  /** The field manager kube-drift applies with. */
  fieldManager: string;
  /** Must state structures from the server's schemas (`structure`): nothing is assumed without. */
  lists: ListSemantics;
}

const HOLDS: Proof = { holds: true };

/**
 * The proof holds when all of these do (each one is needed; see docs/in-sync-proof.md):
 * 1. Git and live are the same apiVersion and kind, and Git sets no `status`. kube-drift's own
 *    labels are left out: they are never compared, and adding them changes nothing reported.
 * 2. Every field Git sets has the same value live, as the server stores it: scalars equal in
 *    type and value (so `cpu: 0.5` against `500m`, or `8080` against `"8080"`, is unproven);
 *    Git's `{}` and `[]` only against the same; no `null` in Git; granular maps and structs
 *    (the schema says so) field by field, atomic ones and anything the schema does not cover
 *    whole; map lists element by element matched by their keys, sets by value, each without
 *    duplicates and in the same relative order live (so the merge keeps live's order); atomic
 *    lists whole.
 * 3. Nothing the field manager's last apply set has left Git: every field of its `Apply`
 *    managed-fields entry is still in Git's object (server-side apply would remove it).
 */
export function proveInSync(input: ProofInput): Proof {
  const [first] = differences(input, true);
  return first
    ? { holds: false, reason: first.pointer ? `${first.pointer}: ${first.why}` : first.why }
    : HOLDS;
}

/**
 * Where applying Git may change the live object: each field the proof cannot show equal, with
 * `certain` where the apply surely changes it (client mode reports those as drift). `firstOnly`
 * stops at the first. Empty exactly when the proof holds.
 */
export function differences(input: ProofInput, firstOnly = false): Difference[] {
  const { applyObject, live, lists } = input;
  if (!lists.structure)
    return [{ pointer: '', why: 'the server published no schema for this kind', certain: false }];
  if (applyObject.apiVersion !== live.apiVersion || applyObject.kind !== live.kind)
    return [{ pointer: '', why: 'Git names another apiVersion or kind', certain: false }];
  if (Object.hasOwn(applyObject, 'status'))
    return [{ pointer: '/status', why: 'Git sets status', certain: false }];
  const walk: Walk = { lists, apiVersion: live.apiVersion, kind: live.kind, out: [], firstOnly };
  const stored = withoutOwnerLabels(asStored(applyObject)) as Record<string, unknown>;
  coversFields(stored, live as Record<string, unknown>, { pointer: '', fields: [] }, walk, [
    'apiVersion',
    'kind',
  ]);
  if (!done(walk)) ownedStillInGit(applyObject, live, input.fieldManager, walk);
  return walk.out;
}

/** A field where applying Git may change live, and why; `certain`: it surely does. */
export interface Difference {
  pointer: string;
  why: string;
  certain: boolean;
}

/**
 * kube-drift's own labels are never compared (normalize.ts): an apply that only adds them
 * changes nothing a report shows, and remediation adopts unlabelled objects by the live labels.
 */
function withoutOwnerLabels(object: KubeObject): KubeObject {
  const labels = object.metadata?.labels;
  if (!labels || !Object.keys(labels).some((key) => key.startsWith(OWNER_PREFIX))) return object;
  const kept = Object.fromEntries(Object.entries(labels).filter(([key]) => !key.startsWith(OWNER_PREFIX)));
  const { labels: _, ...rest } = object.metadata;
  return {
    ...object,
    metadata: Object.keys(kept).length === 0 ? rest : { ...rest, labels: kept },
  } as KubeObject;
}

interface Walk {
  lists: ListSemantics;
  apiVersion: string;
  kind: string;
  out: Difference[];
  firstOnly: boolean;
}

interface At {
  pointer: string;
  /** Property names from the root, no list indices (how list-semantics.ts addresses fields). */
  fields: string[];
}

function note(walk: Walk, at: At, why: string, certain = false): undefined {
  walk.out.push({ pointer: at.pointer, why, certain });
}

function done(walk: Walk): boolean {
  return walk.firstOnly && walk.out.length > 0;
}

const structureAt = (walk: Walk, at: At, item: boolean) =>
  walk.lists.structure!(walk.apiVersion, walk.kind, at.fields, item);

/** Notes each field live does not hold with the same value as Git's `git`. */
function covers(git: unknown, live: unknown, at: At, walk: Walk, item: boolean): undefined {
  if (git === null) return note(walk, at, 'Git sets null');
  if (Array.isArray(git)) {
    if (!Array.isArray(live)) return note(walk, at, 'a list in Git, not live');
    if (git.length === 0) return live.length === 0 ? undefined : note(walk, at, 'Git sets []');
    const structure = structureAt(walk, at, item);
    if (structure?.kind !== 'list' || structure.list.type === 'atomic')
      return whole(git, live, at, walk, item, structure ? 'an atomic list' : 'a list no schema covers');
    return coversList(git, live, structure.list, at, walk);
  }
  if (isPlainObject(git)) {
    if (!isPlainObject(live)) return note(walk, at, 'a map in Git, not live');
    if (Object.keys(git).length === 0)
      return Object.keys(live).length === 0 ? undefined : note(walk, at, 'Git sets {}');
    const structure = structureAt(walk, at, item);
    if (structure?.kind !== 'map' || structure.atomic)
      return whole(git, live, at, walk, item, structure ? 'an atomic map' : 'a map no schema covers');
    return coversFields(git, live, at, walk, [], item);
  }
  if (git === live) return;
  // A resource quantity is stored in canonical form (`0.5` as `500m`): compared as stored.
  // Any other value must be the same type and value; one that parses alike is not enough.
  const structure = structureAt(walk, at, item);
  const quantity = structure?.kind === 'scalar' && structure.quantity;
  const stored = quantity && (typeof git === 'string' || typeof git === 'number') ? storedQuantity(git) : git;
  if (stored === live) return;
  // The apply writes Git's value: surely a change where the schema knows the field and both
  // sides are the same type (an int-or-string or a quantity in another form may not be), unless
  // Git writes a zero the server does not store, which its defaulting may fill in as live has it.
  const parent = { ...placeOf(walk, { pointer: at.pointer, fields: at.fields.slice(0, -1) }), item: false };
  const zero = git === 0 || git === false || git === '';
  const unstoredZero = zero && !item && zeroNotStored(parent, at.fields.at(-1) ?? '');
  const certain =
    structure?.kind === 'scalar' && stored !== undefined && typeof stored === typeof live && !unstoredZero;
  note(walk, at, 'a different value live', certain);
}

const placeOf = (walk: Walk, at: At, item = false): SchemaPlace => ({
  lists: walk.lists,
  apiVersion: walk.apiVersion,
  kind: walk.kind,
  fields: at.fields,
  item,
});

/** Each field of the granular map `git` against live's; `skip`: fields compared elsewhere. */
function coversFields(
  git: Record<string, unknown>,
  live: Record<string, unknown>,
  at: At,
  walk: Walk,
  skip: string[] = [],
  item = false,
): undefined {
  for (const key in git) {
    if (!Object.hasOwn(git, key) || skip.includes(key)) continue;
    const child = { pointer: `${at.pointer}/${escapeToken(key)}`, fields: [...at.fields, key] };
    // A zero, `[]` or `{}` a built-in type never stores: the same as live without the field.
    const absentLive = !Object.hasOwn(live, key) || live[key] === null;
    if (absentLive && notStored(placeOf(walk, at, item), key, git[key])) continue;
    // `kubectl create --dry-run -o yaml` writes it; an update never changes it (the server keeps its own).
    if (key === 'creationTimestamp' && git[key] === null && at.pointer === '/metadata') continue;
    if (Object.hasOwn(live, key)) covers(git[key], live[key], child, walk, false);
    else if (git[key] === null) note(walk, child, 'Git sets null');
    else {
      // Git adds a value the schema knows: surely a change (unless it is empty, which the server may drop).
      const value = git[key];
      const empty = typeof value === 'object' && value !== null && Object.keys(value).length === 0;
      note(walk, child, 'not set live', !empty && structureAt(walk, child, false) !== undefined);
    }
    if (done(walk)) return;
  }
}

/**
 * Replaced whole by the apply: proven only when live equals Git as the server stores it (its
 * published and tabled defaults filled in, what it never stores left out: stored-form.ts).
 */
function whole(git: unknown, live: unknown, at: At, walk: Walk, item: boolean, what: string): undefined {
  if (deepEqual(git, live)) return;
  const place = placeOf(walk, at, item);
  const stored = storedForm(git, place);
  const liveStored = liveForm(live, place);
  if (deepEqual(stored, liveStored)) return;
  // Only scalars inside: nothing the server could default, so the apply surely changes it.
  const certain =
    (what === 'an atomic list' && scalarsOnly(git)) || writesOtherValue(git, stored, liveStored, place);
  note(walk, at, `${what} that differs live`, certain);
}

/**
 * Whether the apply surely writes another value than live holds inside a value it replaces whole:
 * a scalar Git itself sets (not a default filled in) that live holds as another value of the same
 * type (a zero aside: the server may not store it), or a key live holds in a map (no properties,
 * so nothing the server could default) that Git's lacks. Defaults only fill in what Git leaves
 * out, so they cannot make such a value equal again.
 */
function writesOtherValue(git: unknown, stored: unknown, live: unknown, place: SchemaPlace): boolean {
  if (Array.isArray(git) && Array.isArray(stored) && Array.isArray(live)) {
    // Another length is no proof: admission may add elements (DefaultTolerationSeconds to a Pod's tolerations).
    if (stored.length !== live.length) return false;
    const element = { ...place, item: true };
    return stored.some((s, i) => writesOtherValue(git[i], s, live[i], element));
  }
  if (isPlainObject(git) && isPlainObject(stored) && isPlainObject(live)) {
    const { lists, apiVersion, kind, fields, item } = place;
    const map =
      lists.structure?.(apiVersion, kind, fields, item)?.kind === 'map' &&
      !lists.facts?.(apiVersion, kind, fields, item);
    if (map && Object.keys(live).some((key) => !Object.hasOwn(stored, key))) return true;
    return Object.keys(git).some(
      (key) =>
        Object.hasOwn(stored, key) &&
        Object.hasOwn(live, key) &&
        writesOtherValue(git[key], stored[key], live[key], {
          ...place,
          fields: [...fields, key],
          item: false,
        }),
    );
  }
  const scalar = (v: unknown) => v !== null && v !== undefined && typeof v !== 'object';
  const zero = stored === 0 || stored === false || stored === '';
  return scalar(git) && scalar(stored) && typeof stored === typeof live && stored !== live && !zero;
}

function scalarsOnly(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => v !== null && typeof v !== 'object');
}

function coversList(git: unknown[], live: unknown[], list: ListType, at: At, walk: Walk): undefined {
  const gitKeys = elementKeys(git, list);
  const liveKeys = elementKeys(live, list);
  if (!gitKeys || !liveKeys) return note(walk, at, 'list elements without their keys, or repeated');
  const liveIndex = new Map(liveKeys.map((key, i) => [key, i]));
  let last = -1;
  for (let i = 0; i < git.length && !done(walk); i++) {
    const j = liveIndex.get(gitKeys[i]);
    const element = { pointer: `${at.pointer}/${i}`, fields: at.fields };
    if (j === undefined) {
      note(walk, element, 'no such element live', true);
      continue;
    }
    // Server-side apply orders the elements both hold as Git does: another order live would change.
    if (j < last) note(walk, element, 'in another order live', true);
    last = Math.max(last, j);
    if (list.type === 'map') covers(git[i], live[j], element, walk, true);
  }
}

/** Each element's identity (its key fields, or its value in a set), or undefined if one has none or two share one. */
function elementKeys(elements: unknown[], list: ListType): string[] | undefined {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const element of elements) {
    let key: string;
    if (list.type === 'set') {
      if (typeof element === 'object' && element !== null) return undefined;
      key = JSON.stringify(element);
    } else {
      if (!isPlainObject(element) || list.type !== 'map') return undefined;
      const values = list.keys.map((name) => keyValue(element, name));
      if (values.some((v) => v === undefined || v === null || typeof v === 'object')) return undefined;
      key = JSON.stringify(values);
    }
    if (seen.has(key)) return undefined;
    seen.add(key);
    keys.push(key);
  }
  return keys;
}

/**
 * Condition 3: the fields of `fieldManager`'s Apply entry are all in Git's object as given (the
 * apply's own field set is made from it, `stringData` included). A field that left Git is one
 * the apply removes where no other manager owns it too: certain where `fieldsToRemove` finds
 * such a field, else not.
 */
function ownedStillInGit(
  applyObject: KubeObject,
  live: KubeObject,
  fieldManager: string,
  out: Walk,
): undefined {
  const positions = new ListPositions();
  const walk = (value: unknown, set: FieldsV1, pointer: string): string | undefined => {
    for (const key in set) {
      if (key === '.') continue;
      const found = positions.resolve(value, key);
      if (!found) return `${pointer}/${key.startsWith('f:') ? escapeToken(key.slice(2)) : key}`;
      const missing = walk(found.value, set[key] ?? {}, `${pointer}/${found.token}`);
      if (missing) return missing;
    }
    return undefined;
  };
  for (const entry of live.metadata.managedFields ?? []) {
    if (entry.manager !== fieldManager || entry.operation !== 'Apply' || entry.subresource) continue;
    const missing = walk(applyObject, storedFieldsOf(applyObject, entry.fieldsV1 ?? {}), '');
    if (!missing) continue;
    const removed = fieldsToRemove(live, asStored(applyObject), (m) => m === fieldManager, '');
    const why = `${fieldManager} applied it before and Git no longer sets it`;
    return note(out, { pointer: missing, fields: [] }, why, removed.length > 0);
  }
}

/**
 * A Secret's `stringData` is write-only: the server moves it into `data` and never stores it, so
 * the apply removing a `stringData` key it set before changes nothing stored (the `data` key
 * stays). Those managed fields are left out of rule 3; `data` is checked as any field is.
 */
function storedFieldsOf(applyObject: KubeObject, set: FieldsV1): FieldsV1 {
  if (applyObject.apiVersion !== 'v1' || applyObject.kind !== 'Secret' || !('f:stringData' in set))
    return set;
  const { 'f:stringData': _writeOnly, ...stored } = set;
  return stored;
}
