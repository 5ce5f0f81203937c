// Resolving kinds: each desired object against what the server serves, with its namespace
// defaulted (or dropped for cluster-wide kinds) and owner labels added; unknown kinds,
// unserved versions and duplicates become errors naming the file and line.

import type { ResourceInfo } from '../kube/discovery.ts';
import {
  type DesiredObject,
  identityOf,
  type KubeObject,
  type ObjectRef,
  type PlanError,
  refOf,
  subjectOf,
} from '../model.ts';
import { ownerLabels } from './ownership.ts';
import type { PlannedObject, PlanOptions } from './plan.ts';

/** What the server serves for a kind (discovery), or undefined when it does not serve it. */
export type KindLookup = (ref: Pick<ObjectRef, 'group' | 'kind'>) => ResourceInfo | undefined;

export interface Resolved {
  /** In input order; each has an `unchanged` entry until it is compared. */
  planned: PlannedObject[];
  errors: PlanError[];
  /** Namespaces Git creates: a dry-run into one of them cannot succeed before it exists. */
  newNamespaces: Set<string>;
}

type ResolveOptions = Pick<PlanOptions, 'target' | 'defaultNamespace' | 'reportOnlyGroups'>;

export function resolveDesired(
  desired: DesiredObject[],
  kindOf: KindLookup,
  options: ResolveOptions,
): Resolved {
  const newKinds = new Set<string>();
  const newNamespaces = new Set<string>();
  for (const { object } of desired) {
    if (object.kind === 'CustomResourceDefinition' && refOf(object).group === 'apiextensions.k8s.io') {
      const spec = object.spec as { group?: string; names?: { kind?: string } } | undefined;
      if (spec?.group && spec.names?.kind) newKinds.add(`${spec.group}|${spec.names.kind}`);
    }
    if (object.kind === 'Namespace' && object.apiVersion === 'v1') newNamespaces.add(object.metadata.name);
  }

  const planned: PlannedObject[] = [];
  const errors: PlanError[] = [];
  const seen = new Map<string, DesiredObject>();
  for (const item of desired) {
    // Git's object is shared with the object to apply, not copied: frozen, so that no step can
    // change one through the other (a write throws instead of reporting what Git never said).
    deepFreeze(item.object);
    const object: KubeObject = { ...item.object, metadata: { ...item.object.metadata } };
    const ref = refOf(object);
    const at = { file: item.source.file, line: item.source.line };
    const info = kindOf(ref);
    if (!info && newKinds.has(`${ref.group}|${ref.kind}`)) {
      // Served once its CRD is applied; remediation resolves the scope then.
      ref.namespace = ref.namespace ?? options.defaultNamespace;
      planned.push({ ...plannedOf(item, ref, object), kindPending: true });
      continue;
    }
    const where = `${at.file}:${at.line}`;
    if (!info) {
      errors.push({ message: unknownKind(ref, object, where), object: subjectOf(ref), ...at });
      continue;
    }
    const problem = versionProblem(ref, object, info, where);
    if (problem) {
      errors.push({ message: problem, object: subjectOf(ref), ...at });
      continue;
    }
    scope(ref, object, info, options.defaultNamespace);
    const key = identityOf(ref);
    const earlier = seen.get(key);
    if (earlier) {
      const message = `${subjectOf(ref)} is defined twice: ${earlier.source.file}:${earlier.source.line} and ${where}`;
      errors.push({ message, object: subjectOf(ref), ...at });
      continue;
    }
    seen.set(key, item);
    object.metadata.labels = { ...object.metadata.labels, ...ownerLabels(options.target) };
    withoutAggregatedRules(object);
    const reportOnly = item.group ? options.reportOnlyGroups?.get(item.group) : undefined;
    planned.push({ ...plannedOf(item, ref, object), reportOnly });
  }
  return { planned, errors, newNamespaces };
}

/**
 * An aggregated ClusterRole's `rules` belong to the clusterrole-aggregation-controller, which
 * rewrites them from the roles its selectors match as soon as anyone else writes them: Git's
 * `rules` (mostly `[]`) never last, so they are left out of the object to apply. Applying Git
 * then changes nothing of them (another manager, the controller, owns them), and both diff modes
 * compare everything else exactly (as Argo CD's `ignoreAggregatedRoles`).
 */
function withoutAggregatedRules(object: KubeObject): void {
  const aggregated =
    object.kind === 'ClusterRole' &&
    object.apiVersion === 'rbac.authorization.k8s.io/v1' &&
    object.aggregationRule !== undefined &&
    object.aggregationRule !== null;
  if (aggregated) delete object.rules;
}

function plannedOf(item: DesiredObject, ref: ObjectRef, object: KubeObject): PlannedObject {
  return {
    desired: item,
    ref,
    applyObject: object,
    live: null,
    manualFields: [],
    entry: { ref, action: 'unchanged', source: item.source, group: item.group, changes: [], diff: '' },
  };
}

function unknownKind(ref: ObjectRef, object: KubeObject, where: string): string {
  return `unknown kind ${object.apiVersion} ${object.kind} for ${subjectOf(ref)} (${where}): the server does not serve it. Install its CustomResourceDefinition first, or fix apiVersion/kind.`;
}

function versionProblem(
  ref: ObjectRef,
  object: KubeObject,
  info: ResourceInfo,
  where: string,
): string | undefined {
  if (info.versions.includes(ref.version)) return undefined;
  const served = info.versions.map((v) => (ref.group ? `${ref.group}/${v}` : v)).join(', ');
  return `${subjectOf(ref)} (${where}) uses ${object.apiVersion}, which the server does not serve; it serves ${served}.`;
}

/** Namespaced kinds get the default namespace when they name none; cluster-wide kinds lose theirs. */
function scope(ref: ObjectRef, object: KubeObject, info: ResourceInfo, defaultNamespace: string): void {
  if (info.namespaced) {
    ref.namespace = ref.namespace ?? defaultNamespace;
    object.metadata.namespace = ref.namespace;
  } else {
    ref.namespace = null;
    delete object.metadata.namespace;
  }
}

/**
 * Freezes a rendered object and everything in it. The object to apply copies only its top level
 * and metadata (what resolving changes) instead of the whole object: 10-13 MB less at the peak
 * of the real-repository mix (bench/RESULTS.md, "seventh stop").
 */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
