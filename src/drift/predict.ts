// What a server-side apply of Git would leave, predicted without asking the server to run
// it: the client diff mode (no write verbs), and the merge the plan uses to predict a
// takeover of hand-made fields. Lists merge as the server's schemas say (see list-semantics.ts).
import type { KubeObject } from '../model.ts';
import { fieldsToRemove, removePointers } from './fieldsets.ts';
import { cloneJson, deepEqual, escapeToken, isPlainObject, setOwn } from './jsondiff.ts';
import {
  BUILTIN_LIST_SEMANTICS,
  builtinListType,
  CONTAINER_KINDS,
  isPodSpec,
  type ListSemantics,
  sameElement,
} from './list-semantics.ts';
import { isManualManager, type ManagerMatcher } from './managers.ts';
import { storedQuantity } from './quantity.ts';
import { liveForm, notStored, type SchemaPlace, storedForm } from './stored-form.ts';

/**
 * Client mode (no write verbs): what a server-side apply of Git would leave, predicted without
 * the server. Fields that only kube-drift's own apply or people own and that Git no longer sets
 * are removed (as the apply, and remediation's takeover, would remove them); then Git's fields
 * are merged over the live object with the lists' semantics (`lists`: map lists by key, sets by
 * value, the rest replaced whole), Secret `stringData` folded into `data`. Where the server's
 * schemas are known, Git's values are merged as the server stores them (as the in-sync proof
 * compares them: stored-form.ts), so that only real changes differ from live. New containers and
 * ports get the server's well-known defaults; other structures Git adds to an existing object may
 * gain defaults only a dry-run shows, and `defaultedPaths` names them for the entry's note.
 */
export function predictClientSide(
  desired: KubeObject,
  live: KubeObject | null,
  fieldManager: string,
  isTakeover: ManagerMatcher = isManualManager,
  lists: ListSemantics = BUILTIN_LIST_SEMANTICS,
): { predicted: KubeObject; defaultedPaths: string[] } {
  const stored = asStored(desired);
  if (!live)
    return {
      predicted: { ...cloneJson(stored), metadata: { ...cloneJson(stored.metadata), resourceVersion: '' } },
      defaultedPaths: [],
    };
  const removed = fieldsToRemove(
    live,
    stored,
    (manager) => manager === fieldManager || isTakeover(manager),
    '',
  );
  const base = removePointers(live, removed);
  const defaultedPaths: string[] = [];
  const predicted = mergeOver(base, stored, {
    apiVersion: live.apiVersion,
    kind: live.kind,
    lists,
    fields: [],
    pointer: '',
    defaultedPaths,
    stored: lists.structure !== undefined && lists.facts !== undefined,
  }) as KubeObject;
  predicted.metadata = { ...predicted.metadata, resourceVersion: live.metadata.resourceVersion };
  return { predicted, defaultedPaths };
}

export interface MergeContext {
  kind: string;
  apiVersion?: string;
  /** How lists merge; the built-in table when absent. */
  lists?: ListSemantics;
  /** Field names from the root, without list indices: `spec.template.spec.containers`. */
  fields: string[];
  pointer: string;
  /** Where Git adds a structure whose server defaults are not known here. */
  defaultedPaths?: string[];
  /** The value at `fields` is a list's element (schemas address elements apart from their list). */
  item?: boolean;
  /**
   * Git's values as the server stores them (`lists` must hold the server's schemas): quantities
   * canonical, what a built-in type never stores left out, atomic values with their defaults, and
   * live's value kept where Git's is the same as stored. Client mode only: the merge a dry-run
   * update is sent (predictAfterTakeover) keeps Git's values as written.
   */
  stored?: boolean;
}

/** Git's value merged over live's, as server-side apply merges them. */
export function mergeOver(live: unknown, desired: unknown, ctx: MergeContext): unknown {
  const structure = ctx.stored
    ? ctx.lists?.structure?.(ctx.apiVersion ?? '', ctx.kind, ctx.fields, ctx.item)
    : undefined;
  if (Array.isArray(desired)) {
    const list = (ctx.lists ?? BUILTIN_LIST_SEMANTICS).listType(ctx.apiVersion ?? '', ctx.kind, ctx.fields);
    if (structure && (structure.kind !== 'list' || structure.list.type === 'atomic'))
      return replacedWhole(live, desired, ctx);
    if (!Array.isArray(live) || list.type === 'atomic') {
      if (!deepEqual(live, desired)) noteAdded(live, desired, ctx);
      return cloneJson(desired);
    }
    if (list.type === 'set') {
      const result = cloneJson(live);
      for (const item of desired) if (!result.some((l) => deepEqual(l, item))) result.push(cloneJson(item));
      return result;
    }
    const result = cloneJson(live);
    for (const item of desired) {
      const at = result.findIndex((l) => sameElement(l, item, list));
      const element = { ...ctx, item: true };
      if (at !== -1) {
        result[at] = mergeOver(result[at], item, { ...element, pointer: `${ctx.pointer}/${at}` });
      } else {
        const pointer = `${ctx.pointer}/${result.length}`;
        result.push(added(item, { ...element, pointer }));
      }
    }
    return result;
  }
  if (isPlainObject(desired)) {
    if (structure && (structure.kind !== 'map' || structure.atomic)) return replacedWhole(live, desired, ctx);
    const base = isPlainObject(live) ? live : undefined;
    const result: Record<string, unknown> = base ? { ...base } : {};
    for (const [key, value] of Object.entries(desired)) {
      const child: MergeContext = {
        ...ctx,
        fields: [...ctx.fields, key],
        pointer: `${ctx.pointer}/${escapeToken(key)}`,
        item: false,
      };
      // `kubectl create --dry-run -o yaml` writes it; an update never changes it (the server keeps its own).
      if (ctx.stored && key === 'creationTimestamp' && value === null && ctx.pointer === '/metadata')
        continue;
      // A zero, `[]` or `{}` a built-in type never stores: the apply leaves the field absent.
      if (ctx.stored && notStored(placeOf(ctx), key, value)) {
        delete result[key];
        continue;
      }
      if (base && Object.hasOwn(base, key)) setOwn(result, key, mergeOver(base[key], value, child));
      else setOwn(result, key, added(value, child));
    }
    return result;
  }
  if (
    structure?.kind === 'scalar' &&
    structure.quantity &&
    (typeof desired === 'string' || typeof desired === 'number')
  )
    return storedQuantity(desired) ?? desired;
  return desired;
}

const placeOf = (ctx: MergeContext): SchemaPlace => ({
  lists: ctx.lists ?? BUILTIN_LIST_SEMANTICS,
  apiVersion: ctx.apiVersion ?? '',
  kind: ctx.kind,
  fields: ctx.fields,
  item: ctx.item ?? false,
});

/**
 * A value the apply writes whole (an atomic list or map, as the schema says): as the server
 * stores it, or live's own where that is the same stored value.
 */
function replacedWhole(live: unknown, desired: unknown, ctx: MergeContext): unknown {
  const place = placeOf(ctx);
  const stored = storedForm(desired, place);
  if (live !== undefined && deepEqual(stored, liveForm(live, place))) return cloneJson(live);
  if (!deepEqual(live, stored)) noteAdded(live, stored, ctx);
  return stored;
}

/** A value Git adds where live has none: with the server's defaults, as the server stores it. */
function added(value: unknown, ctx: MergeContext): unknown {
  const defaulted = withServerDefaults(cloneJson(value), ctx);
  return ctx.stored ? storedForm(defaulted, placeOf(ctx)) : defaulted;
}

/** Records a structure Git adds that the server may fill in (maps, lists of maps); scalars it never defaults. */
function noteAdded(live: unknown, value: unknown, ctx: MergeContext): void {
  if (live !== undefined || UNDEFAULTED_ROOTS.has(ctx.fields[0])) return;
  const structured = isPlainObject(value)
    ? Object.keys(value).length > 0
    : Array.isArray(value) && value.some(isPlainObject);
  if (structured) ctx.defaultedPaths?.push(ctx.pointer);
}

/** String maps the server keeps as given. */
const UNDEFAULTED_ROOTS = new Set(['metadata', 'data', 'binaryData', 'stringData']);

const PROBES = new Set(['livenessProbe', 'readinessProbe', 'startupProbe']);

/**
 * A value Git adds, with the defaults the API server is known to give it (containers, their
 * ports and probes, Service ports); anything else structured is named in `defaultedPaths`.
 */
function withServerDefaults(value: unknown, ctx: MergeContext): unknown {
  const n = ctx.fields.length;
  const last = ctx.fields[n - 1];
  const inList = n >= 1 && isPlainObject(value);
  if (inList && CONTAINER_KINDS.has(last) && isPodSpec(ctx.kind, ctx.fields.slice(0, -1)))
    return defaultContainer(value as Record<string, unknown>);
  if (inList && last === 'ports' && builtinListType(ctx.kind, ctx.fields).type === 'map') {
    const port = value as Record<string, unknown>;
    port.protocol ??= 'TCP';
    if (ctx.kind === 'Service' && port.targetPort === undefined) port.targetPort = port.port;
    return port;
  }
  if (isPlainObject(value) && PROBES.has(last) && n >= 3 && CONTAINER_KINDS.has(ctx.fields[n - 2]))
    return defaultProbe(value);
  noteAdded(undefined, value, ctx);
  return value;
}

function defaultContainer(container: Record<string, unknown>): Record<string, unknown> {
  const image = typeof container.image === 'string' ? container.image : '';
  const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
  container.imagePullPolicy ??= tag === 'latest' ? 'Always' : 'IfNotPresent';
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  container.resources ??= {};
  if (Array.isArray(container.ports))
    for (const port of container.ports) if (isPlainObject(port)) port.protocol ??= 'TCP';
  for (const probe of PROBES) if (isPlainObject(container[probe])) defaultProbe(container[probe]);
  if (Array.isArray(container.env)) {
    for (const env of container.env) {
      const fieldRef =
        isPlainObject(env) && isPlainObject(env.valueFrom) ? env.valueFrom.fieldRef : undefined;
      if (isPlainObject(fieldRef)) fieldRef.apiVersion ??= 'v1';
    }
  }
  return container;
}

function defaultProbe(probe: Record<string, unknown>): Record<string, unknown> {
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (isPlainObject(probe.httpGet)) probe.httpGet.scheme ??= 'HTTP';
  return probe;
}

/**
 * The object as the server stores it, for asking "does Git set this field?": a Secret's
 * write-only `stringData` is stored under `data`.
 */
export function asStored(object: KubeObject): KubeObject {
  const stringData = object.stringData as Record<string, string> | undefined;
  if (object.kind !== 'Secret' || object.apiVersion !== 'v1' || !stringData) return object;
  const data: Record<string, string> = { ...(object.data as Record<string, string> | undefined) };
  for (const [key, value] of Object.entries(stringData))
    data[key] = Buffer.from(String(value)).toString('base64');
  const { stringData: _, ...rest } = object;
  return { ...rest, data } as KubeObject;
}
