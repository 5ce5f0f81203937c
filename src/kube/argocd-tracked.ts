// What Argo CD tracks for each Application, from its `.status.resources` in the cluster: the
// objects the application controller would prune when they leave Git; and the live objects
// whose tracking annotation names the Application.
import type { ObjectRef } from '../model.ts';
import type { ClusterObjects } from './objects.ts';

const ARGO_GROUP = 'argoproj.io';

/** One object an Application tracks; `kustomization` is the group name `Application ns/name`. */
export interface ArgoTrackedEntry extends ObjectRef {
  kustomization: string;
}

interface StatusResource {
  group?: string;
  version?: string;
  kind?: string;
  namespace?: string;
  name?: string;
}

/** The resources of an Application's status as object references (shapes without kind or name left out). */
export function trackedRefs(status: unknown): ObjectRef[] {
  const resources = (status as { resources?: StatusResource[] } | undefined)?.resources ?? [];
  return resources.flatMap((r) =>
    r.kind && r.name
      ? [
          {
            group: r.group ?? '',
            version: r.version ?? '',
            kind: r.kind,
            namespace: r.namespace || null,
            name: r.name,
          },
        ]
      : [],
  );
}

/** An Application to read, and where its objects are: the kinds it renders in each namespace (null: cluster-wide). */
export interface TrackedApplication {
  namespace: string;
  name: string;
  kinds?: { group: string; kind: string; namespace: string | null }[];
}

export const TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';

/** Whether a tracking id (`<app>:<group>/<kind>:<ns>/<name>`) names the Application (`<app>` or `<ns>_<app>`). */
export function trackedBy(trackingId: unknown, app: { namespace: string; name: string }): boolean {
  if (typeof trackingId !== 'string') return false;
  const instance = trackingId.slice(0, trackingId.indexOf(':'));
  return instance === app.name || instance === `${app.namespace}_${app.name}`;
}

/**
 * The objects the given Applications track, as they are in the cluster now: the Application's
 * `.status.resources`, and the live objects of the kinds it renders whose tracking annotation
 * names it. Applications the cluster does not have (or a cluster without Argo CD's CRDs) add nothing.
 */
export async function readArgoTracked(
  cluster: Pick<ClusterObjects, 'info' | 'get' | 'list'>,
  applications: TrackedApplication[],
): Promise<ArgoTrackedEntry[]> {
  const info = cluster.info({ group: ARGO_GROUP, kind: 'Application' });
  if (!info || applications.length === 0) return [];
  const entries = new Map<string, ArgoTrackedEntry>();
  const add = (ref: ObjectRef, app: TrackedApplication) => {
    const key = `${ref.group}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
    if (!entries.has(key))
      entries.set(key, { ...ref, kustomization: `Application ${app.namespace}/${app.name}` });
  };
  for (const app of applications) {
    const live = await cluster.get({
      group: ARGO_GROUP,
      version: info.versions[0],
      kind: 'Application',
      namespace: app.namespace,
      name: app.name,
    });
    if (!live) continue;
    for (const ref of trackedRefs(live.status)) add(ref, app);
    for (const scope of app.kinds ?? []) {
      const kind = cluster.info(scope);
      if (!kind) continue;
      const namespace = kind.namespaced ? scope.namespace : null;
      for (const object of await cluster.list(kind, kind.versions[0], namespace)) {
        if (!trackedBy(object.metadata.annotations?.[TRACKING_ANNOTATION], app)) continue;
        add(
          {
            group: kind.group,
            version: kind.versions[0],
            kind: kind.kind,
            namespace: object.metadata.namespace ?? null,
            name: object.metadata.name,
          },
          app,
        );
      }
    }
  }
  return [...entries.values()];
}
