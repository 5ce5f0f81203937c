// The release metadata `helm install` and `helm upgrade` put on every object of a release (not
// on the CRDs of a chart's crds/ directory): `helm template` leaves it out, but it is part of
// what Helm applies, and without it a release installed by Helm would show it as drift.
import type { DesiredObject } from '../model.ts';

export const HELM_MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const HELM_RELEASE_NAME_ANNOTATION = 'meta.helm.sh/release-name';
export const HELM_RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';

/** Adds Helm's release label and annotations in place, except to objects `fromCrdsDir` says came from crds/. */
export function addReleaseMetadata(
  objects: DesiredObject[],
  release: { name: string; namespace: string },
  fromCrdsDir: (object: DesiredObject) => boolean,
): void {
  for (const desired of objects) {
    if (fromCrdsDir(desired)) continue;
    const metadata = desired.object.metadata;
    metadata.labels = { ...metadata.labels, [HELM_MANAGED_BY_LABEL]: 'Helm' };
    metadata.annotations = {
      ...metadata.annotations,
      [HELM_RELEASE_NAME_ANNOTATION]: release.name,
      [HELM_RELEASE_NAMESPACE_ANNOTATION]: release.namespace,
    };
  }
}
