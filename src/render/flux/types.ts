// What renderFlux takes and returns: its options, the groups it found and their objects.
import type { DesiredObject, KubeObject } from '../../model.ts';
import type { HelmRenderContext } from '../helm-run.ts';
import type { SopsKeys } from '../sops/keys.ts';
import type { ChartCredential } from './chart-credentials.ts';
import type { SecretReader } from './cluster-keys.ts';

export interface FluxRenderOptions {
  /** Absolute path of the checkout. */
  repoRoot: string;
  /** Paths (relative to repoRoot) to start from, e.g. `clusters/production`. */
  paths: string[];
  /** GitRepositories that stand for this checkout: `namespace/name` → path in it. `flux-system/flux-system` → `.` by default. */
  gitRepositories?: Record<string, string>;
  tools?: { kubectl?: string; helm?: string };
  /** Never fetch charts from the network; releases that need one get an error. */
  offline?: boolean;
  /** As kustomize-controller's StrictPostBuildSubstitutions feature gate (on by default since Flux 2.9). */
  strictSubstitution?: boolean;
  /** Sees every Secret the build reads (values, substitutions, decryption keys), to register it for redaction. */
  onSecret?: (secret: KubeObject) => void;
  /** Keys for Kustomizations with `decryption.provider: sops`; without them Secrets are compared by key names. */
  sopsKeys?: SopsKeys;
  /** Reads the Secrets named by `decryption.secretRef` for their keys (as kustomize-controller); absent: not read. */
  readDecryptionSecret?: SecretReader;
  /**
   * The pull request's content renders here: values decrypted with SOPS go only into Secrets,
   * and objects made from them otherwise are not shown.
   */
  untrusted?: boolean;
  /** The cluster HelmReleases render against, and where their notes and warnings go; offline when absent. */
  helmContext?: HelmRenderContext;
  /** For private HelmRepositories and OCI registries, each bound to its host. */
  chartCredentials?: readonly ChartCredential[];
}

export interface FluxIgnoreRule {
  paths: string[];
  target?: Record<string, unknown>;
}

export interface FluxGroup {
  /** `Kustomization flux-system/apps` or `HelmRelease podinfo/podinfo`. */
  name: string;
  kind: 'Kustomization' | 'HelmRelease';
  namespace: string;
  /** The Flux object's own name (with `namespace`, what it is in the cluster); absent for a bare path. */
  objectName?: string;
  suspended: boolean;
  /** Group names this one waits for. */
  dependsOn: string[];
  /** Kustomization `spec.ignore`, HelmRelease `spec.driftDetection.ignore`: for this group's objects only. */
  ignore?: FluxIgnoreRule[];
  /** Where the ignore rules are written, for errors: `HelmRelease apps/web spec.driftDetection.ignore`. */
  ignoreOrigin?: string;
  /** HelmRelease `spec.driftDetection.mode` as written (helm-controller reads absent as disabled). */
  driftDetection?: string;
  prune?: boolean;
}

export interface FluxRenderResult {
  objects: DesiredObject[];
  groups: FluxGroup[];
  /** Failures confined to one group (a chart that cannot be fetched, a missing substituteFrom…). */
  errors: { group: string; message: string }[];
  /** Files of objects encrypted whole (kind and name too) that no given key opens: not rendered. */
  undecrypted: string[];
}

export type FluxObject = KubeObject & { spec?: Record<string, unknown> };
