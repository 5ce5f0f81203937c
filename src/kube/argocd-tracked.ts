// What Argo CD tracks for each Application, from its `.status.resources` in the cluster: the
// objects the application controller would prune when they leave Git.
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

/**
 * The objects the given Applications track, as they are in the cluster now. Applications the
 * cluster does not have (or a cluster without Argo CD's CRDs) add nothing.
 */
export async function readArgoTracked(
  cluster: Pick<ClusterObjects, 'info' | 'get'>,
  applications: { namespace: string; name: string }[],
): Promise<ArgoTrackedEntry[]> {
  const info = cluster.info({ group: ARGO_GROUP, kind: 'Application' });
  if (!info || applications.length === 0) return [];
  const entries: ArgoTrackedEntry[] = [];
  for (const { namespace, name } of applications) {
    const live = await cluster.get({
      group: ARGO_GROUP,
      version: info.versions[0],
      kind: 'Application',
      namespace,
      name,
    });
    for (const ref of trackedRefs(live?.status))
      entries.push({ ...ref, kustomization: `Application ${namespace}/${name}` });
  }
  return entries;
}
