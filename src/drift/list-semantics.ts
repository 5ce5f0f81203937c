// Which lists of an object are maps (and by which keys), sets or atomic: read from the server's
// OpenAPI v3 schemas where the run fetched them, the built-in table below otherwise.

import type { KubeClient } from '../kube/client.ts';
import { fetchOpenApiDocuments, type OpenApiDocument, type OpenApiSchema } from '../kube/openapi.ts';
import type { KubeObject } from '../model.ts';
import { deepEqual, isPlainObject } from './jsondiff.ts';

export type ListType = { type: 'map'; keys: readonly string[] } | { type: 'set' } | { type: 'atomic' };

export interface ListSemantics {
  /**
   * How the list at `fields` (property names from the object's root, no list indices:
   * `spec.template.spec.containers` is `['spec','template','spec','containers']`) of objects of
   * `apiVersion`/`kind` merges under server-side apply.
   */
  listType(apiVersion: string, kind: string, fields: readonly string[]): ListType;
  /**
   * How the field at `fields` (with `item`, each element of the list there) merges, as the
   * server's schema states it; undefined where no schema covers it (never the built-in table).
   * The in-sync proof (proof.ts) trusts nothing else.
   */
  structure?(
    apiVersion: string,
    kind: string,
    fields: readonly string[],
    item?: boolean,
  ): Structure | undefined;
  /**
   * What the server's schema says of the struct or map at `fields` (as `structure`) that the
   * stored form depends on: its type's name and the defaults it publishes. undefined where no
   * schema covers it. The in-sync proof computes from it how the server stores a value written
   * whole (stored-form.ts).
   */
  facts?(
    apiVersion: string,
    kind: string,
    fields: readonly string[],
    item?: boolean,
  ): SchemaFacts | undefined;
}

/** A struct's or map's schema, as far as the stored form of a value written to it depends on it. */
export interface SchemaFacts {
  /** The schema's component name (`io.k8s.api.core.v1.PodSpec`); undefined for an inline schema. */
  name?: string;
  /** The defaults its properties publish (OpenAPI `default`), by property name. */
  defaults: Readonly<Record<string, unknown>>;
  /** Its properties that are lists or maps (not structs): Go slices and maps in built-in types. */
  collections: ReadonlySet<string>;
}

/** A field's merge type from a schema: a list, a map or struct (atomic: replaced whole), or a scalar. */
export type Structure =
  | { kind: 'list'; list: ListType }
  | { kind: 'map'; atomic: boolean }
  /** `quantity`: a resource.Quantity, which the server stores in its canonical form (quantity.ts). */
  | { kind: 'scalar'; quantity: boolean };

const QUANTITY_SCHEMA = '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity';

const ATOMIC: ListType = { type: 'atomic' };
const SET: ListType = { type: 'set' };

/** The built-in types' list semantics as written by hand: the fallback where no schema was read. */
export const BUILTIN_LIST_SEMANTICS: ListSemantics = {
  listType: (_apiVersion, kind, fields) => builtinListType(kind, fields),
};

/** List semantics from OpenAPI v3 documents by group-version (`v1`, `apps/v1`), the built-in table where they say nothing. */
export function schemaListSemantics(documents: ReadonlyMap<string, OpenApiDocument>): ListSemantics {
  const roots = new Map<string, Map<string, OpenApiSchema>>();
  const answers = new Map<string, ListType>();
  const structures = new Map<string, Structure | undefined>();
  const facts = new Map<string, SchemaFacts | undefined>();
  const rootOf = (apiVersion: string, kind: string): OpenApiSchema | undefined => {
    const document = documents.get(apiVersion);
    if (!document) return undefined;
    let byKind = roots.get(apiVersion);
    if (!byKind) {
      byKind = kindsOf(document, apiVersion);
      roots.set(apiVersion, byKind);
    }
    return byKind.get(kind);
  };
  return {
    listType(apiVersion, kind, fields) {
      const key = `${apiVersion}|${kind}|${fields.join('\0')}`;
      let answer = answers.get(key);
      if (!answer) {
        const root = rootOf(apiVersion, kind);
        const list = root && schemaAt(documents.get(apiVersion)!, root, fields);
        answer = (list && listTypeOf(documents.get(apiVersion)!, list)) ?? builtinListType(kind, fields);
        answers.set(key, answer);
      }
      return answer;
    },
    structure(apiVersion, kind, fields, item = false) {
      const key = `${apiVersion}|${kind}|${fields.join('\0')}|${item}`;
      if (structures.has(key)) return structures.get(key);
      const root = rootOf(apiVersion, kind);
      const answer = root && structureAt(documents.get(apiVersion)!, root, fields, item);
      structures.set(key, answer);
      return answer;
    },
    facts(apiVersion, kind, fields, item = false) {
      const key = `${apiVersion}|${kind}|${fields.join('\0')}|${item}`;
      if (facts.has(key)) return facts.get(key);
      const root = rootOf(apiVersion, kind);
      const answer = root && factsAt(documents.get(apiVersion)!, root, fields, item);
      facts.set(key, answer);
      return answer;
    },
  };
}

function factsAt(
  document: OpenApiDocument,
  root: OpenApiSchema,
  fields: readonly string[],
  item: boolean,
): SchemaFacts | undefined {
  let schema = fields.length === 0 ? root : schemaAt(document, root, fields);
  if (schema && item) schema = resolve(document, schema).items;
  // A struct's facts: for a list (of lists) of structs, its elements'.
  while (schema && resolve(document, schema).items) schema = resolve(document, schema).items;
  if (!schema) return undefined;
  const node = resolve(document, schema);
  if (!node.properties) return undefined;
  const defaults: Record<string, unknown> = {};
  const collections = new Set<string>();
  for (const [name, property] of Object.entries(node.properties)) {
    if (property.default !== undefined) defaults[name] = property.default;
    const target = resolve(document, property);
    const map = isPlainObject(target.additionalProperties) && !target.properties;
    if (target.type === 'array' || target.items || map) collections.add(name);
  }
  return { name: nameOf(document, schema), defaults, collections };
}

/** The component name `schema` refers to (through `$ref` and lone `allOf`), or the root's own. */
function nameOf(document: OpenApiDocument, schema: OpenApiSchema): string | undefined {
  const schemas = document.components?.schemas ?? {};
  let name: string | undefined;
  let current = schema;
  for (let depth = 0; depth < 32; depth++) {
    const ref = current.$ref ?? (current.allOf?.length === 1 ? current.allOf[0].$ref : undefined);
    if (!ref) break;
    name = ref.replace('#/components/schemas/', '');
    if (!schemas[name]) break;
    current = schemas[name];
  }
  return name ?? Object.keys(schemas).find((key) => schemas[key] === schema);
}

function structureAt(
  document: OpenApiDocument,
  root: OpenApiSchema,
  fields: readonly string[],
  item: boolean,
): Structure | undefined {
  let schema = fields.length === 0 ? root : schemaAt(document, root, fields);
  if (schema && item) schema = resolve(document, schema).items;
  if (!schema) return undefined;
  const list = listTypeOf(document, schema);
  if (list) return { kind: 'list', list };
  const node = resolve(document, schema);
  if (node.properties || isPlainObject(node.additionalProperties)) {
    const atomic = schema['x-kubernetes-map-type'] === 'atomic' || node['x-kubernetes-map-type'] === 'atomic';
    return { kind: 'map', atomic };
  }
  if (node.type === 'object' || node['x-kubernetes-preserve-unknown-fields']) return undefined;
  const quantity = refersTo(document, schema, QUANTITY_SCHEMA);
  return node.type || quantity ? { kind: 'scalar', quantity } : undefined;
}

/**
 * The list semantics of the kinds `objects` hold, read from the server: the OpenAPI v3 index,
 * then one document per group-version in play (1 + n requests, once per run). Read-only
 * credentials may fetch them (`system:discovery`), and they cover custom resources. Where the
 * server does not serve them, the built-in table stands in and `onWarning` says so.
 */
export async function loadListSemantics(
  client: KubeClient,
  objects: readonly KubeObject[],
  onWarning?: (message: string) => void,
): Promise<ListSemantics> {
  const groupVersions = new Set<string>();
  for (const object of objects)
    if (typeof object.apiVersion === 'string') groupVersions.add(object.apiVersion);
  if (groupVersions.size === 0) return BUILTIN_LIST_SEMANTICS;
  const { documents, problem } = await fetchOpenApiDocuments(client, groupVersions);
  if (problem)
    onWarning?.(
      `${problem}; lists of custom resources are compared by index, built-in kinds by their known keys`,
    );
  return schemaListSemantics(documents);
}

function kindsOf(document: OpenApiDocument, apiVersion: string): Map<string, OpenApiSchema> {
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const byKind = new Map<string, OpenApiSchema>();
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
      if (gvk.group === group && gvk.version === version && !byKind.has(gvk.kind))
        byKind.set(gvk.kind, schema);
    }
  }
  return byKind;
}

/** Whether `schema` is, through `$ref` and lone `allOf` references, the schema `ref` names. */
function refersTo(document: OpenApiDocument, schema: OpenApiSchema, ref: string): boolean {
  let current = schema;
  for (let depth = 0; depth < 32; depth++) {
    const next = current.$ref ?? (current.allOf?.length === 1 ? current.allOf[0].$ref : undefined);
    if (!next) return false;
    if (next === ref) return true;
    const target = document.components?.schemas?.[next.replace('#/components/schemas/', '')];
    if (!target) return false;
    current = target;
  }
  return false;
}

/** Follows `$ref` and a lone `allOf` reference (how the server wraps referenced types). */
function resolve(document: OpenApiDocument, schema: OpenApiSchema): OpenApiSchema {
  let current = schema;
  for (let depth = 0; depth < 32; depth++) {
    const ref = current.$ref ?? (current.allOf?.length === 1 ? current.allOf[0].$ref : undefined);
    if (!ref) return current;
    const target = document.components?.schemas?.[ref.replace('#/components/schemas/', '')];
    if (!target) return current;
    current = target;
  }
  return current;
}

/** The schema of the field at `fields`, stepping through list items where a field is inside a list. */
function schemaAt(
  document: OpenApiDocument,
  root: OpenApiSchema,
  fields: readonly string[],
): OpenApiSchema | undefined {
  let schema: OpenApiSchema | undefined = root;
  for (const field of fields) {
    let node = resolve(document, schema);
    while (node.items) node = resolve(document, node.items);
    const additional = isPlainObject(node.additionalProperties) ? node.additionalProperties : undefined;
    schema = node.properties?.[field] ?? (additional as OpenApiSchema | undefined);
    if (!schema) return undefined;
  }
  return schema;
}

/**
 * Server-side apply's reading of a list schema: `x-kubernetes-list-type`, else (built-in types
 * only) a merge patch strategy with its merge key. undefined where the schema is not a list.
 */
function listTypeOf(document: OpenApiDocument, schema: OpenApiSchema): ListType | undefined {
  for (const node of [schema, resolve(document, schema)]) {
    const listType = node['x-kubernetes-list-type'];
    const keys = node['x-kubernetes-list-map-keys'];
    if (listType === 'map' && keys && keys.length > 0) return { type: 'map', keys };
    if (listType === 'set') return SET;
    if (listType === 'atomic') return ATOMIC;
    const strategy = node['x-kubernetes-patch-strategy'] ?? '';
    if (strategy.split(',').includes('merge')) {
      const mergeKey = node['x-kubernetes-patch-merge-key'];
      return mergeKey ? { type: 'map', keys: [mergeKey] } : SET;
    }
    if (node.type === 'array' || node.items) return ATOMIC;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The built-in table

const POD_SPEC_LISTS: Record<string, readonly string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  volumes: ['name'],
  imagePullSecrets: ['name'],
  hostAliases: ['ip'],
  topologySpreadConstraints: ['topologyKey', 'whenUnsatisfiable'],
  resourceClaims: ['name'],
  schedulingGates: ['name'],
};
const CONTAINER_LISTS: Record<string, readonly string[]> = {
  ports: ['containerPort', 'protocol'],
  env: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  resizePolicy: ['resourceName'],
};
export const CONTAINER_KINDS: ReadonlySet<string> = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
]);

/** Whether `fields` leads to a pod spec: a Pod's `spec`, or any `template.spec`. */
export function isPodSpec(kind: string, fields: readonly string[]): boolean {
  const n = fields.length;
  if (kind === 'Pod') return n === 1 && fields[0] === 'spec';
  return n >= 2 && fields[n - 1] === 'spec' && fields[n - 2] === 'template';
}

/**
 * The built-in types' common keyed lists (`listType=map` keys, `listType=set`); atomic for the
 * rest (tolerations, args, RBAC rules and subjects, and every list of a custom resource).
 */
export function builtinListType(kind: string, fields: readonly string[]): ListType {
  const n = fields.length;
  const last = fields[n - 1];
  if (n === 2 && fields[0] === 'metadata' && last === 'finalizers') return SET;
  if (kind === 'Service' && n === 2 && fields[0] === 'spec' && last === 'ports')
    return { type: 'map', keys: ['port', 'protocol'] };
  if (isPodSpec(kind, fields.slice(0, -1)))
    return Object.hasOwn(POD_SPEC_LISTS, last) ? { type: 'map', keys: POD_SPEC_LISTS[last] } : ATOMIC;
  if (n >= 3 && CONTAINER_KINDS.has(fields[n - 2]) && isPodSpec(kind, fields.slice(0, -2)))
    return Object.hasOwn(CONTAINER_LISTS, last) ? { type: 'map', keys: CONTAINER_LISTS[last] } : ATOMIC;
  return ATOMIC;
}

// ---------------------------------------------------------------------------------------------
// Matching elements by key

/**
 * A key field's value as the server compares it: it defaults `protocol` to TCP in ports lists
 * keyed by it, and Git often leaves it out (kubernetes-sigs/structured-merge-diff#130; Flux
 * normalizes the same way).
 */
export function keyValue(item: Record<string, unknown>, key: string): unknown {
  return item[key] ?? (key === 'protocol' ? 'TCP' : undefined);
}

/** Whether two elements of a list of type `list` are the same element (same key, or equal for sets). */
export function sameElement(a: unknown, b: unknown, list: ListType): boolean {
  if (list.type === 'set') return deepEqual(a, b);
  if (list.type !== 'map' || !isPlainObject(a) || !isPlainObject(b)) return false;
  return list.keys.every((key) => deepEqual(keyValue(a, key), keyValue(b, key)));
}
