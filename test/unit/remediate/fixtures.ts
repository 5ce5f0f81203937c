// Planned objects and deletions for remediation's unit tests, built as the plan builds them.
import type { PlannedDeletion, PlannedObject } from '../../../src/drift/plan.ts';
import type { ChangeAction, KubeObject, ObjectRef } from '../../../src/model.ts';

const API_VERSIONS: Record<string, string> = {
  CustomResourceDefinition: 'apiextensions.k8s.io/v1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  StorageClass: 'storage.k8s.io/v1',
  Deployment: 'apps/v1',
  Widget: 'example.com/v1',
};

const CLUSTER_WIDE = new Set(['CustomResourceDefinition', 'Namespace', 'ClusterRole', 'StorageClass']);

export function refOf(kind: string, name: string): ObjectRef {
  const apiVersion = API_VERSIONS[kind] ?? 'v1';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return { group, version, kind, namespace: CLUSTER_WIDE.has(kind) ? null : 'apps', name };
}

export function objectOf(ref: ObjectRef, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: ref.group ? `${ref.group}/${ref.version}` : ref.version,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
    ...extra,
  };
}

export function planned(
  kind: string,
  name: string,
  action: ChangeAction,
  options: { live?: KubeObject | null; note?: string; reportOnly?: string; valuesNotCompared?: string } = {},
): PlannedObject {
  const ref = refOf(kind, name);
  const live = options.live === undefined ? (action === 'created' ? null : objectOf(ref)) : options.live;
  return {
    desired: {
      object: objectOf(ref),
      source: { file: `${name}.yaml`, line: 1 },
      ...(options.valuesNotCompared ? { valuesNotCompared: options.valuesNotCompared } : {}),
    },
    ref,
    entry: { ref, action, changes: [], diff: '', ...(options.note ? { note: options.note } : {}) },
    applyObject: objectOf(ref),
    live,
    manualFields: [],
    ...(options.reportOnly ? { reportOnly: options.reportOnly } : {}),
  };
}

export function deletion(
  kind: string,
  name: string,
  origin: PlannedDeletion['origin'] = 'inventory',
  action: ChangeAction = 'deleted',
): PlannedDeletion {
  const ref = refOf(kind, name);
  return {
    ref,
    entry: { ref, action, changes: [], diff: '', note: 'gone from Git' },
    live: objectOf(ref, { metadata: { name, namespace: ref.namespace ?? undefined, uid: `uid-${name}` } }),
    origin,
  };
}
