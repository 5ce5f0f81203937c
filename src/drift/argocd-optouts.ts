// Argo CD's per-object annotations: the tracking annotation that says an Application manages
// an object, and those that keep a tracked object from being pruned
// (`argocd.argoproj.io/sync-options: Prune=false`, `compare-options: IgnoreExtraneous`).
import type { KubeObject } from '../model.ts';

export const ARGO_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
export const ARGO_COMPARE_OPTIONS = 'argocd.argoproj.io/compare-options';

/** The options of an Argo CD options annotation (comma-separated, spaces allowed). */
function optionsOf(object: KubeObject, key: string): string[] {
  const value = object.metadata?.annotations?.[key];
  return typeof value === 'string' ? value.split(',').map((o) => o.trim()) : [];
}

/** Why Argo CD would leave a tracked object that left Git in place, or undefined. */
export function argoPruneSkip(object: KubeObject): string | undefined {
  if (optionsOf(object, ARGO_SYNC_OPTIONS).includes('Prune=false'))
    return `annotation ${ARGO_SYNC_OPTIONS}: Prune=false`;
  if (optionsOf(object, ARGO_COMPARE_OPTIONS).includes('IgnoreExtraneous'))
    return `annotation ${ARGO_COMPARE_OPTIONS}: IgnoreExtraneous`;
  return undefined;
}

export const ARGO_TRACKING_ID = 'argocd.argoproj.io/tracking-id';

/**
 * Why kube-drift leaves a live object alone: its tracking annotation says an Argo CD
 * Application manages it (`<app>:<group>/<kind>:<ns>/<name>`, the app as `name` or `ns_name`).
 */
export function argoManaged(object: KubeObject): string | undefined {
  const id = object.metadata?.annotations?.[ARGO_TRACKING_ID];
  if (typeof id !== 'string' || !id.includes(':')) return undefined;
  const instance = id.slice(0, id.indexOf(':'));
  const application = instance.includes('_') ? instance.replace('_', '/') : instance;
  return `not corrected: managed by Argo CD Application ${application} (annotation ${ARGO_TRACKING_ID}; set argocd-remediate: true to let kube-drift apply it)`;
}
