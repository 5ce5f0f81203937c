// What renderArgo takes and returns: its options, the Applications it found and their objects.
import type { DesiredObject, KubeObject, SourceLocation } from '../../model.ts';
import type { ChartCredential } from '../flux/chart-credentials.ts';
import type { HelmOptions } from '../helm.ts';
import type { HelmRenderContext } from '../helm-run.ts';
import type { ToolPaths } from '../kustomize.ts';

export interface ArgoRenderOptions {
  /** Absolute path of the checkout. */
  repoRoot: string;
  /** Paths (relative to repoRoot) holding Applications, ApplicationSets and anything else to apply. */
  paths: string[];
  /** Git repositories that stand for a directory of the checkout: normalized URL → absolute directory. */
  repos: Map<string, string>;
  /** Destinations (server URLs or cluster names) that stand for the target cluster besides in-cluster. */
  clusters?: readonly string[];
  tools?: ToolPaths;
  /** For Applications and ApplicationSets that name no namespace (as the plan defaults it). */
  namespace?: string;
  /** How Helm charts found in the given paths themselves render. */
  helm?: HelmOptions;
  /** The cluster Helm sources render against; offline when absent. */
  helmContext?: HelmRenderContext;
  /** Credentials for chart repositories and OCI registries, each used only for its host. */
  chartCredentials?: readonly ChartCredential[];
  /** Charts that would have to be fetched are errors instead. */
  offline?: boolean;
  /** When repoRoot is a base commit's files: the Git clone (`of`) they come from and the directory (`root`) standing for its top. */
  clone?: { of: string; root: string };
}

/** One Application rendered (or skipped), as reports group its objects. */
export interface ArgoGroup {
  /** `Application argocd/payments-api`: the group of its objects. */
  name: string;
  namespace: string;
  /** The Application's own name. */
  objectName: string;
  /** Why it was not rendered (another cluster, an unmapped repository, a plugin), if it was not. */
  skipped?: string;
  /** `spec.ignoreDifferences`, as written. */
  ignoreDifferences?: unknown;
  /** `spec.syncPolicy.syncOptions`. */
  syncOptions: string[];
  /** `spec.destination.namespace`. */
  destinationNamespace?: string;
  managedNamespaceMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** Where the Application is written (or the ApplicationSet that generates it). */
  from: SourceLocation;
}

export interface ArgoRenderResult {
  objects: DesiredObject[];
  groups: ArgoGroup[];
  /** Failures confined to one Application (a chart that does not render, a cycle). */
  errors: { group: string; message: string }[];
  /** Remarks for the report: Applications skipped and why, features left out. */
  notes: string[];
}

export interface ApplicationSource {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  ref?: string;
  directory?: { recurse?: boolean; include?: string; exclude?: string; jsonnet?: unknown };
  kustomize?: KustomizeSource;
  helm?: HelmSource;
  plugin?: unknown;
}

export interface KustomizeSource {
  namePrefix?: string;
  nameSuffix?: string;
  images?: string[];
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
  namespace?: string;
  patches?: unknown[];
  components?: string[];
  replicas?: { name: string; count: number | string }[];
}

export interface HelmSource {
  valueFiles?: string[];
  values?: string;
  valuesObject?: unknown;
  parameters?: { name: string; value: string; forceString?: boolean }[];
  releaseName?: string;
  skipCrds?: boolean;
  ignoreMissingValueFiles?: boolean;
}

export interface ApplicationSpec {
  project?: string;
  source?: ApplicationSource;
  sources?: ApplicationSource[];
  destination?: { server?: string; name?: string; namespace?: string };
  syncPolicy?: {
    syncOptions?: string[];
    managedNamespaceMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  };
  ignoreDifferences?: unknown;
}

export type Application = KubeObject & { spec?: ApplicationSpec };

export const ARGO_GROUP = 'argoproj.io';

export function isApplication(object: KubeObject): object is Application {
  return object.kind === 'Application' && object.apiVersion.startsWith(`${ARGO_GROUP}/`);
}

export function isApplicationSet(object: KubeObject): boolean {
  return object.kind === 'ApplicationSet' && object.apiVersion.startsWith(`${ARGO_GROUP}/`);
}

/** `Application argocd/name`: the group name reports show. */
export function applicationGroup(app: KubeObject): string {
  return `Application ${app.metadata.namespace || 'argocd'}/${app.metadata.name}`;
}
