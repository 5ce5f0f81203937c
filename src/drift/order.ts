// Apply order, after Flux: definitions before what uses them, webhooks after what they guard.

import type { ObjectRef } from '../model.ts';

type RankedRef = Pick<ObjectRef, 'group' | 'kind'>;
type SortableRef = RankedRef & { namespace?: string | null; name?: string };

/** Ranks of the stages; kinds within a stage keep the order of the tables below. */
const CLUSTER_DEFINITIONS = 0;
const CLASSES = 100;
const FOUNDATIONS = 200;
const WORKLOADS = 300;
const OTHER_BUILT_IN = 400;
const CUSTOM_RESOURCES = 500;
const ADMISSION = 600;

// `group/kind` of built-in kinds, in the order they are applied within their stage.
const FIRST: [number, string[]][] = [
  [
    CLUSTER_DEFINITIONS,
    [
      'apiextensions.k8s.io/CustomResourceDefinition',
      '/Namespace',
      // Cluster-wide RBAC before the ServiceAccounts and workloads that rely on it.
      'rbac.authorization.k8s.io/ClusterRole',
      'rbac.authorization.k8s.io/ClusterRoleBinding',
    ],
  ],
  [
    FOUNDATIONS,
    [
      // Quotas and limits first: they constrain the objects created after them.
      '/ResourceQuota',
      '/LimitRange',
      '/ServiceAccount',
      'rbac.authorization.k8s.io/Role',
      'rbac.authorization.k8s.io/RoleBinding',
      '/ConfigMap',
      '/Secret',
      '/PersistentVolume',
      '/PersistentVolumeClaim',
      // Services before the workloads that look them up through environment variables.
      '/Service',
      'networking.k8s.io/NetworkPolicy',
    ],
  ],
  [
    WORKLOADS,
    [
      'apps/Deployment',
      'apps/StatefulSet',
      'apps/DaemonSet',
      'apps/ReplicaSet',
      '/ReplicationController',
      '/Pod',
      'batch/CronJob',
      'batch/Job',
      'policy/PodDisruptionBudget',
      'autoscaling/HorizontalPodAutoscaler',
    ],
  ],
  [
    // Applied last, as Flux does: a webhook whose backend is not up yet (it is applied in the
    // same run) would reject or hold every object after it; an APIService likewise breaks
    // discovery until its Service answers.
    ADMISSION,
    [
      'admissionregistration.k8s.io/MutatingWebhookConfiguration',
      'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
      'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
      'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
      'admissionregistration.k8s.io/MutatingAdmissionPolicy',
      'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
      'apiregistration.k8s.io/APIService',
    ],
  ],
];

const RANKS = new Map<string, number>();
for (const [stage, kinds] of FIRST) {
  for (let i = 0; i < kinds.length; i++) RANKS.set(kinds[i], stage + i);
}

/** Groups served by the API server itself; anything else is a custom resource. */
const BUILT_IN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'extensions',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

/**
 * Lower is applied earlier: CRDs, Namespaces and cluster-wide RBAC (then CRDs are waited for);
 * `*Class` kinds (StorageClass, PriorityClass, IngressClass, GatewayClass, …); quotas,
 * ServiceAccounts, Roles, ConfigMaps, Secrets, Services; workloads; other built-in kinds;
 * custom resources; admission webhooks and APIServices last.
 */
export function applyRank(ref: RankedRef): number {
  const known = RANKS.get(`${ref.group}/${ref.kind}`);
  if (known !== undefined) return known;
  // Flux's second stage: every kind named *Class, custom ones included (their CRD is already in).
  if (ref.kind.endsWith('Class')) return CLASSES;
  return BUILT_IN_GROUPS.has(ref.group) ? OTHER_BUILT_IN : CUSTOM_RESOURCES;
}

/** Apply order: rank, then kind, group, namespace, name, so the order never depends on input order. */
export function compareForApply(a: SortableRef, b: SortableRef): number {
  return (
    applyRank(a) - applyRank(b) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.group, b.group) ||
    compareStrings(a.namespace ?? '', b.namespace ?? '') ||
    compareStrings(a.name ?? '', b.name ?? '')
  );
}

/** Delete order: the reverse of apply order (webhooks first, Namespaces and CRDs last). */
export function compareForDelete(a: SortableRef, b: SortableRef): number {
  return compareForApply(b, a);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
