// Argo CD's per-object annotations that keep an object it tracks from being pruned:
// `argocd.argoproj.io/sync-options: Prune=false` and `compare-options: IgnoreExtraneous`.
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
