// Flux's per-object opt-outs that change what kustomize-controller would do to an object
// that exists already (kustomize.toolkit.fluxcd.io/reconcile: disabled is in ignore.ts's
// isSkipped, as kube-drift has its own equivalent). Flux reads them from labels or
// annotations, with exact values.
import type { KubeObject } from '../model.ts';

export const FLUX_SSA_KEY = 'kustomize.toolkit.fluxcd.io/ssa';
export const FLUX_PRUNE_KEY = 'kustomize.toolkit.fluxcd.io/prune';
/** helm-controller leaves an object with this label or annotation `disabled` out of drift detection. */
export const FLUX_HELM_DRIFT_KEY = 'helm.toolkit.fluxcd.io/driftDetection';

function metadataValue(object: KubeObject | null | undefined, key: string): string | undefined {
  const annotation = object?.metadata?.annotations?.[key];
  if (typeof annotation === 'string') return annotation;
  const label = object?.metadata?.labels?.[key];
  return typeof label === 'string' ? label : undefined;
}

/**
 * Why Flux would not apply `desired` over the existing `live` object, or undefined.
 * `ssa: Ignore` (on either side) leaves the object as it is; `ssa: IfNotPresent` (in Git)
 * creates it when missing and never changes it after. Only asked when the object exists:
 * a missing object is created either way.
 */
export function fluxApplySkip(desired: KubeObject, live: KubeObject): string | undefined {
  for (const object of [desired, live]) {
    if (metadataValue(object, FLUX_SSA_KEY) === 'Ignore') return `${FLUX_SSA_KEY}: Ignore`;
    if (metadataValue(object, FLUX_HELM_DRIFT_KEY) === 'disabled') return `${FLUX_HELM_DRIFT_KEY}: disabled`;
  }
  if (metadataValue(desired, FLUX_SSA_KEY) === 'IfNotPresent') {
    return `${FLUX_SSA_KEY}: IfNotPresent, and the object exists`;
  }
  return undefined;
}

/** Why Flux would not prune `live` when it leaves Git, or undefined. */
export function fluxPruneSkip(live: KubeObject): string | undefined {
  return metadataValue(live, FLUX_PRUNE_KEY) === 'disabled' ? `${FLUX_PRUNE_KEY}: disabled` : undefined;
}
