// What one Flux rendering has found so far: the sources, Kustomizations and HelmReleases the
// repository declares, and the data of its ConfigMaps and Secrets, as later groups read them.
import { join } from 'node:path';
import type { DesiredObject, KubeObject } from '../../model.ts';
import type { Confinement } from '../confine.ts';
import type { ClusterKeys } from './cluster-keys.ts';
import type { DecryptionContext } from './decryption.ts';
import type { FluxObject, FluxRenderOptions, FluxRenderResult } from './types.ts';
import { dataOf } from './values.ts';

const KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';
export const HELM_GROUP = 'helm.toolkit.fluxcd.io';
const SOURCE_GROUP = 'source.toolkit.fluxcd.io';

export interface PendingKustomization {
  object: FluxObject;
  id: string;
  dependsOn: string[];
}

export interface FluxRenderState {
  options: FluxRenderOptions;
  /** The temporary copy of the repository everything is built in. */
  tree: string;
  /** Private to this rendering (charts, values files). */
  work: string;
  kubectl: string;
  confine: Confinement;
  /** A path in the tree as a file name relative to the checkout (provenance). */
  checkoutFile: (path: string) => string;
  gitRepositories: Record<string, string>;
  decryption: DecryptionContext;
  clusterKeys?: ClusterKeys;
  result: FluxRenderResult;
  /** `Kind/ns/name` → data of the ConfigMaps and Secrets rendered. */
  configData: Map<string, Record<string, string>>;
  /** `Kind/ns/name` of the Secrets (and ConfigMaps) whose data was decrypted with SOPS, or made from it. */
  decryptedData: Set<string>;
  sources: Map<string, FluxObject>;
  kustomizations: Map<string, PendingKustomization>;
  releases: Map<string, FluxObject>;
}

const apiGroup = (object: KubeObject) => object.apiVersion.split('/')[0];
export const namespaceOf = (object: KubeObject) => object.metadata.namespace || 'default';
const idOf = (object: KubeObject) => `${namespaceOf(object)}/${object.metadata.name}`;
export const depIds = (spec: Record<string, unknown> | undefined, namespace: string): string[] =>
  ((spec?.dependsOn as { name: string; namespace?: string }[] | undefined) ?? []).map(
    (dep) => `${dep.namespace || namespace}/${dep.name}`,
  );

/** Records what later groups read: data, sources, Kustomizations to render, HelmReleases. */
export function indexObjects(state: FluxRenderState, objects: DesiredObject[]): void {
  for (const { object, notCompared } of objects) {
    if (notCompared) continue; // a stand-in: its content is not known here
    const key = `${object.kind}/${namespaceOf(object)}/${object.metadata.name}`;
    if ((object.kind === 'ConfigMap' || object.kind === 'Secret') && object.apiVersion === 'v1') {
      if (object.kind === 'Secret') state.options.onSecret?.(object);
      state.configData.set(key, dataOf(object));
    } else if (apiGroup(object) === SOURCE_GROUP) state.sources.set(key, object as FluxObject);
    else if (apiGroup(object) === KUSTOMIZE_GROUP && object.kind === 'Kustomization') {
      const id = idOf(object);
      if (!state.kustomizations.has(id)) {
        const spec = (object as FluxObject).spec;
        state.kustomizations.set(id, {
          object: object as FluxObject,
          id,
          dependsOn: depIds(spec, namespaceOf(object)),
        });
      }
    } else if (apiGroup(object) === HELM_GROUP && object.kind === 'HelmRelease') {
      state.releases.set(idOf(object), object as FluxObject);
    }
  }
}

/** The tree path a GitRepository reference stands for, or undefined when it is not this repository. */
export function sourceRoot(
  state: FluxRenderState,
  ref: { kind?: string; name?: string; namespace?: string } | undefined,
  namespace: string,
): string | undefined {
  if (ref?.kind !== 'GitRepository') return undefined;
  const mapped = state.gitRepositories[`${ref.namespace || namespace}/${ref.name}`];
  return mapped === undefined ? undefined : join(state.tree, mapped);
}
