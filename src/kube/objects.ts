// Object verbs over the byte-faithful client: get, list, server-side apply, delete.
import { type KubeObject, type ObjectRef, subjectOf } from '../model.ts';
import type { KubeClient, RequestOptions } from './client.ts';
import { type Discovery, type ResourceInfo, resourcePath } from './discovery.ts';
import { KubeApiError } from './errors.ts';

export interface ApplyOptions {
  fieldManager: string;
  dryRun: boolean;
  force: boolean;
}

export class ClusterObjects {
  readonly client: KubeClient;
  readonly discovery: Discovery;

  constructor(client: KubeClient, discovery: Discovery) {
    this.client = client;
    this.discovery = discovery;
  }

  info(ref: Pick<ObjectRef, 'group' | 'kind'>): ResourceInfo | undefined {
    return this.discovery.find(ref.group, ref.kind);
  }

  /** The live object, or null when it does not exist. */
  async get(ref: ObjectRef): Promise<KubeObject | null> {
    const info = this.require(ref);
    try {
      return await this.client.request<KubeObject>(
        'GET',
        resourcePath(info, ref.version, ref.namespace, ref.name),
        {
          operation: { verb: 'get', subject: subjectOf(ref) },
        },
      );
    } catch (error) {
      if (error instanceof KubeApiError && error.notFound) return null;
      throw error;
    }
  }

  /** Every object of a kind in a namespace (or cluster-wide with null), with apiVersion and kind set on each. */
  async list(
    info: ResourceInfo,
    version: string,
    namespace: string | null,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    const apiVersion = info.group ? `${info.group}/${version}` : version;
    const items: KubeObject[] = [];
    let continueToken: string | undefined;
    do {
      const page = await this.client.request<{ items?: KubeObject[]; metadata?: { continue?: string } }>(
        'GET',
        resourcePath(info, version, namespace),
        listPage(info, namespace, labelSelector, continueToken),
      );
      for (const item of page.items ?? []) {
        item.apiVersion = apiVersion;
        item.kind = info.kind;
        items.push(item);
      }
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);
    return items;
  }

  /** Starts reading the first page of a list() that the run will make later (KubeClient.readAhead). */
  readAheadList(info: ResourceInfo, version: string, namespace: string | null, labelSelector?: string): void {
    this.client.readAhead(resourcePath(info, version, namespace), listPage(info, namespace, labelSelector));
  }

  /** Server-side apply; with dryRun the server answers with the object as it would be. */
  async apply(object: KubeObject, ref: ObjectRef, options: ApplyOptions): Promise<KubeObject> {
    const info = this.require(ref);
    return this.client.request<KubeObject>(
      'PATCH',
      resourcePath(info, ref.version, ref.namespace, ref.name),
      {
        query: {
          fieldManager: options.fieldManager,
          force: options.force ? 'true' : undefined,
          dryRun: options.dryRun ? 'All' : undefined,
          fieldValidation: 'Strict',
        },
        body: object,
        contentType: 'application/apply-patch+yaml',
        operation: { verb: options.dryRun ? 'dry-run apply' : 'apply', subject: subjectOf(ref) },
      },
    );
  }

  /** A full update (PUT); with dryRun the server validates and defaults without storing. */
  async update(
    object: KubeObject,
    ref: ObjectRef,
    options: Omit<ApplyOptions, 'force'>,
  ): Promise<KubeObject> {
    const info = this.require(ref);
    return this.client.request<KubeObject>('PUT', resourcePath(info, ref.version, ref.namespace, ref.name), {
      query: { fieldManager: options.fieldManager, dryRun: options.dryRun ? 'All' : undefined },
      body: object,
      operation: { verb: options.dryRun ? 'dry-run update' : 'update', subject: subjectOf(ref) },
    });
  }

  /** A JSON patch, e.g. to hand managed fields over to kube-drift. */
  async jsonPatch(ref: ObjectRef, patch: unknown[]): Promise<KubeObject> {
    const info = this.require(ref);
    return this.client.request<KubeObject>(
      'PATCH',
      resourcePath(info, ref.version, ref.namespace, ref.name),
      {
        body: patch,
        contentType: 'application/json-patch+json',
        operation: { verb: 'patch', subject: subjectOf(ref) },
      },
    );
  }

  /**
   * Deletes; true when it was there. With preconditions, the server deletes only the object
   * with that uid (and resourceVersion), and answers 409 Conflict otherwise.
   */
  async delete(
    ref: ObjectRef,
    propagation: 'Background' | 'Foreground' | 'Orphan' = 'Background',
    preconditions?: { uid?: string; resourceVersion?: string },
  ): Promise<boolean> {
    const info = this.require(ref);
    try {
      await this.client.request('DELETE', resourcePath(info, ref.version, ref.namespace, ref.name), {
        body: {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          propagationPolicy: propagation,
          ...(preconditions ? { preconditions } : {}),
        },
        operation: { verb: 'delete', subject: subjectOf(ref) },
      });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.notFound) return false;
      throw error;
    }
  }

  private require(ref: Pick<ObjectRef, 'group' | 'kind' | 'version'>): ResourceInfo {
    const info = this.info(ref);
    if (!info) {
      const apiVersion = ref.group ? `${ref.group}/${ref.version}` : ref.version;
      throw new KubeApiError(
        404,
        { message: `the server does not serve ${apiVersion} ${ref.kind}` },
        this.client.server,
        {
          verb: 'find',
          subject: ref.kind,
        },
      );
    }
    return info;
  }
}

function listPage(
  info: ResourceInfo,
  namespace: string | null,
  labelSelector: string | undefined,
  continueToken?: string,
): RequestOptions {
  return {
    query: { labelSelector, limit: '500', continue: continueToken },
    operation: { verb: 'list', subject: `${info.resource}${namespace ? ` in namespace ${namespace}` : ''}` },
  };
}
