// What of an object is compared: the user's intent, not the server's bookkeeping.

import type { KubeObject, ObjectMeta } from '../model.ts';
import { cloneJson, setOwn } from './jsondiff.ts';

/** Every label and annotation kube-drift writes starts with this; none of them is drift. */
export const OWNER_PREFIX = 'kube-drift.dev/';
/** Label with the name of the target that applied the object. */
export const OWNER_NAME_LABEL = 'kube-drift.dev/name';
/** Label marking objects kube-drift applied; its value is `kube-drift`. */
export const OWNER_LABEL = 'kube-drift.dev/owner';
export const OWNER_LABEL_VALUE = 'kube-drift';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A deep copy of `object` for comparison: no `status`, and `metadata` reduced to name,
 * namespace, labels, annotations and finalizers.
 *
 * Dropped metadata is written by the server or by controllers, never by Git: managedFields,
 * resourceVersion, uid, generation, creationTimestamp, deletionTimestamp,
 * deletionGracePeriodSeconds, selfLink. `ownerReferences` is dropped too: it holds the owner's
 * uid, which differs per cluster and is set by controllers and operators (a ReplicaSet's
 * Deployment, cert-manager's Certificate), and a server-side dry-run keeps the live value
 * anyway when Git does not set it. `finalizers` are kept: people put them in manifests on
 * purpose to hold deletion, so a changed finalizer is real drift.
 *
 * The `last-applied-configuration` annotation (a copy of an old client-side apply) and
 * kube-drift's own `kube-drift.dev/` labels and annotations are dropped; empty label and
 * annotation maps are removed so `labels: {}` equals no labels.
 */
export function normalizeForDiff(object: KubeObject): KubeObject {
  const normalized: KubeObject = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: normalizeMeta(object.metadata),
  };
  for (const key in object) {
    if (
      !Object.hasOwn(object, key) ||
      key === 'apiVersion' ||
      key === 'kind' ||
      key === 'metadata' ||
      key === 'status'
    ) {
      continue;
    }
    setOwn(normalized, key, cloneJson(object[key]));
  }
  return normalized;
}

function normalizeMeta(meta: ObjectMeta | undefined): ObjectMeta {
  const result: ObjectMeta = { name: meta?.name ?? '' };
  if (!meta) return result;
  if (meta.namespace !== undefined) result.namespace = meta.namespace;
  const labels = withoutOwnKeys(meta.labels);
  if (labels) result.labels = labels;
  const annotations = withoutOwnKeys(meta.annotations, LAST_APPLIED_ANNOTATION);
  if (annotations) result.annotations = annotations;
  if (meta.finalizers !== undefined && !(Array.isArray(meta.finalizers) && meta.finalizers.length === 0)) {
    result.finalizers = cloneJson(meta.finalizers);
  }
  return result;
}

function withoutOwnKeys(
  map: Record<string, string> | undefined,
  drop?: string,
): Record<string, string> | undefined {
  if (!map || typeof map !== 'object') return undefined;
  const result: Record<string, string> = {};
  let kept = 0;
  for (const key in map) {
    if (!Object.hasOwn(map, key) || key === drop || key.startsWith(OWNER_PREFIX)) continue;
    // A `__proto__` key from YAML must stay a key, not become the map's prototype.
    setOwn(result, key, map[key]);
    kept++;
  }
  return kept === 0 ? undefined : result;
}
