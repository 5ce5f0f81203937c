// The server's OpenAPI v3 documents, fetched for the group-versions a run needs: the index at
// /openapi/v3, then one document per group-version (content-addressed, so fetched once).
import type { KubeClient } from './client.ts';
import { type OpenApiCache, openApiCache } from './openapi-cache.ts';

/** The parts of an OpenAPI v3 schema object that list semantics and the in-sync proof read. */
export interface OpenApiSchema {
  type?: string;
  $ref?: string;
  allOf?: OpenApiSchema[];
  items?: OpenApiSchema;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  /** The value the server fills in where the field is absent (built-in `+default` markers, CRD schemas). */
  default?: unknown;
}

export interface OpenApiDocument {
  components?: { schemas?: Record<string, OpenApiSchema> };
}

/**
 * The keys of a schema that are kept (all of OpenApiSchema's: a key added there and not here
 * fails to compile). A document as served is mostly `paths` (every operation of the
 * group-version) and `description` text, and the documents are kept for the whole run: core
 * v1's, apps/v1's and rbac/v1's (3.2 MB of JSON) hold 3.5 MB of heap as served, 1.8 MB compact.
 */
const SCHEMA_KEYS: Record<keyof OpenApiSchema, true> = {
  type: true,
  // A literal value, kept as served (not compacted): the in-sync proof fills it in (stored-form.ts).
  default: true,
  $ref: true,
  allOf: true,
  items: true,
  properties: true,
  additionalProperties: true,
  'x-kubernetes-group-version-kind': true,
  'x-kubernetes-list-type': true,
  'x-kubernetes-list-map-keys': true,
  'x-kubernetes-patch-merge-key': true,
  'x-kubernetes-patch-strategy': true,
  'x-kubernetes-map-type': true,
  'x-kubernetes-preserve-unknown-fields': true,
};

/** `document` with its schemas only, each with only the keys OpenApiSchema declares. */
export function compactDocument(document: OpenApiDocument): OpenApiDocument {
  const schemas: Record<string, OpenApiSchema> = {};
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {}))
    schemas[name] = compactSchema(schema);
  return { components: { schemas } };
}

function compactSchema(schema: OpenApiSchema): OpenApiSchema {
  if (typeof schema !== 'object' || schema === null) return schema;
  const compact: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!Object.hasOwn(SCHEMA_KEYS, key)) continue;
    if (key === 'properties') {
      // Property names are the object's field names (`type`, `description` among them): all kept.
      const properties: Record<string, OpenApiSchema> = {};
      for (const [field, child] of Object.entries(value as Record<string, OpenApiSchema>))
        properties[field] = compactSchema(child);
      compact[key] = properties;
    } else if (key === 'allOf') compact[key] = (value as OpenApiSchema[]).map(compactSchema);
    else if (key === 'items' || key === 'additionalProperties')
      compact[key] = compactSchema(value as OpenApiSchema);
    else compact[key] = value;
  }
  return compact as OpenApiSchema;
}

interface OpenApiIndex {
  paths?: Record<string, { serverRelativeURL?: string }>;
}

/** The index's path of a group-version: `api/v1` for the core group, `apis/apps/v1` otherwise. */
export function openApiPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `apis/${apiVersion}` : `api/${apiVersion}`;
}

const operation = (subject: string) => ({ verb: 'read OpenAPI schema', subject });

const caches = new WeakMap<KubeClient, OpenApiCache | undefined>();

/** The on-disk cache of documents for the client's server (openapi-cache.ts), one per client. */
function cacheOf(client: KubeClient): OpenApiCache | undefined {
  if (!caches.has(client)) caches.set(client, openApiCache(client.server));
  return caches.get(client);
}

/**
 * Starts reading the index and the documents of `groupVersions` that fetchOpenApiDocuments
 * will read later in the run (KubeClient.readAhead). Never rejects: what fails here fails
 * again, and is reported, there.
 */
export async function readAheadOpenApi(client: KubeClient, groupVersions: Iterable<string>): Promise<void> {
  try {
    const index = await client.readAhead<OpenApiIndex>('/openapi/v3', {
      operation: operation('/openapi/v3'),
    });
    const cache = cacheOf(client);
    for (const gv of groupVersions) {
      const url = index.paths?.[openApiPath(gv)]?.serverRelativeURL;
      if (url && !cache?.read(url)) client.readAhead(url, { operation: operation(openApiPath(gv)) });
    }
  } catch {
    // Read again by fetchOpenApiDocuments, which says what went wrong.
  }
}

/**
 * The documents of `groupVersions` (`v1`, `apps/v1`) the server serves, by group-version. Never
 * rejects: a server without OpenAPI v3 (or one that refuses it) gives none, and `problem` says
 * why; a group-version missing from the index or failing to load is left out (its kind may be
 * new in this change), and its lists fall back to the built-in table.
 */
export async function fetchOpenApiDocuments(
  client: KubeClient,
  groupVersions: Iterable<string>,
): Promise<{ documents: Map<string, OpenApiDocument>; problem?: string }> {
  const documents = new Map<string, OpenApiDocument>();
  let index: OpenApiIndex;
  try {
    index = await client.request<OpenApiIndex>('GET', '/openapi/v3', { operation: operation('/openapi/v3') });
  } catch (error) {
    // Never thrown: the plan goes on with built-in list semantics, and meets an unreachable
    // server on its own requests.
    const why = error instanceof Error ? error.message : String(error);
    return { documents, problem: `the server's OpenAPI v3 schemas could not be read (${why})` };
  }
  const wanted = [...groupVersions].filter((gv) => index.paths?.[openApiPath(gv)]?.serverRelativeURL);
  const cache = cacheOf(client);
  const fetched = await Promise.all(
    wanted.map(async (gv) => {
      const url = index.paths![openApiPath(gv)].serverRelativeURL!;
      const cached = cache?.read(url);
      if (cached) return cached;
      try {
        // Compacted as each arrives: the documents as served are never all held at once.
        const document = compactDocument(
          await client.request<OpenApiDocument>('GET', url, { operation: operation(openApiPath(gv)) }),
        );
        cache?.write(url, document);
        return document;
      } catch {
        return undefined;
      }
    }),
  );
  wanted.forEach((gv, i) => {
    const document = fetched[i];
    if (document) documents.set(gv, document);
  });
  return { documents };
}
