// CustomResourceDefinitions applied in the same run as their custom resources: wait until the
// server establishes them, then teach discovery their kinds so the resources can be applied.

import type { ClusterObjects } from '../kube/objects.ts';
import { type KubeObject, type ObjectRef, subjectOf } from '../model.ts';
import { nextRound } from '../retry.ts';

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { kind?: string; plural?: string };
  versions?: { name?: string; served?: boolean; storage?: boolean }[];
}

const CRD_REF: Omit<ObjectRef, 'name'> = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  namespace: null,
};

export function isEstablished(crd: KubeObject | null): boolean {
  const conditions = (crd?.status as { conditions?: { type?: string; status?: string }[] } | undefined)
    ?.conditions;
  return Array.isArray(conditions) && conditions.some((c) => c.type === 'Established' && c.status === 'True');
}

/** Polls each CRD (once a second at most) until Established or the timeout. */
export async function waitForCrds(
  cluster: ClusterObjects,
  crds: KubeObject[],
  timeoutSeconds: number,
): Promise<{ ready: KubeObject[]; problems: { subject: string; message: string }[] }> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const ready: KubeObject[] = [];
  let pending = [...crds];
  for (;;) {
    const started = Date.now();
    const still: KubeObject[] = [];
    for (const crd of pending) {
      const live = await cluster.get({ ...CRD_REF, name: crd.metadata.name });
      if (isEstablished(live)) ready.push(live ?? crd);
      else still.push(crd);
    }
    pending = still;
    if (pending.length === 0 || Date.now() >= deadline) break;
    await nextRound(started, 1000, deadline);
  }
  const problems = pending.map((crd) => {
    const subject = subjectOf({ kind: crd.kind, namespace: null, name: crd.metadata.name });
    return {
      subject,
      message: `${subject} was not established within ${timeoutSeconds}s; its custom resources could not be applied. Check its status conditions (kubectl describe crd ${crd.metadata.name}).`,
    };
  });
  return { ready, problems };
}

/** Adds the served kinds of established CRDs to the cluster's discovery. */
export function registerCrdKinds(cluster: ClusterObjects, crds: KubeObject[]): void {
  for (const crd of crds) {
    const spec = crd.spec as CrdSpec | undefined;
    if (!spec?.group || !spec.names?.kind || !spec.names.plural) continue;
    const served = (spec.versions ?? []).filter((v) => v.served !== false && v.name);
    // The storage version first, as the server prefers it.
    served.sort((a, b) => Number(!!b.storage) - Number(!!a.storage));
    cluster.discovery.add({
      group: spec.group,
      kind: spec.names.kind,
      resource: spec.names.plural,
      namespaced: spec.scope !== 'Cluster',
      versions: served.map((v) => v.name as string),
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    });
  }
}
