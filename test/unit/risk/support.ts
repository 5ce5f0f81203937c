// Plans made by hand for the risk rules' unit tests: objects with their live state, the change set
// computed as the plan computes it (field by field, lists by key), and a cluster read from a list.

import { diffObjects } from '../../../src/drift/field-diff.ts';
import { BUILTIN_LIST_SEMANTICS } from '../../../src/drift/list-semantics.ts';
import type { PlannedDeletion, PlannedObject } from '../../../src/drift/plan.ts';
import type { ResourceInfo } from '../../../src/kube/discovery.ts';
import { KubeApiError } from '../../../src/kube/errors.ts';
import type { ApiRefusal } from '../../../src/kube/refusal.ts';
import {
  type ChangeClass,
  type ChangeSetEntry,
  type KubeObject,
  type PrStatus,
  type RiskReview,
  refOf,
} from '../../../src/model.ts';
import { type RiskCluster, reviewRisks } from '../../../src/risk/index.ts';
import type { RiskAcceptance } from '../../../src/settings/risk.ts';

const KINDS: Record<string, { apiVersion: string; resource: string; namespaced: boolean }> = {
  ConfigMap: { apiVersion: 'v1', resource: 'configmaps', namespaced: true },
  Secret: { apiVersion: 'v1', resource: 'secrets', namespaced: true },
  Service: { apiVersion: 'v1', resource: 'services', namespaced: true },
  Pod: { apiVersion: 'v1', resource: 'pods', namespaced: true },
  PersistentVolumeClaim: { apiVersion: 'v1', resource: 'persistentvolumeclaims', namespaced: true },
  Namespace: { apiVersion: 'v1', resource: 'namespaces', namespaced: false },
  Deployment: { apiVersion: 'apps/v1', resource: 'deployments', namespaced: true },
  StatefulSet: { apiVersion: 'apps/v1', resource: 'statefulsets', namespaced: true },
  DaemonSet: { apiVersion: 'apps/v1', resource: 'daemonsets', namespaced: true },
  Job: { apiVersion: 'batch/v1', resource: 'jobs', namespaced: true },
  CronJob: { apiVersion: 'batch/v1', resource: 'cronjobs', namespaced: true },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'roles', namespaced: true },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterroles', namespaced: false },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'rolebindings', namespaced: true },
  ClusterRoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    resource: 'clusterrolebindings',
    namespaced: false,
  },
  Ingress: { apiVersion: 'networking.k8s.io/v1', resource: 'ingresses', namespaced: true },
  HTTPRoute: { apiVersion: 'gateway.networking.k8s.io/v1', resource: 'httproutes', namespaced: true },
  PodDisruptionBudget: { apiVersion: 'policy/v1', resource: 'poddisruptionbudgets', namespaced: true },
  CustomResourceDefinition: {
    apiVersion: 'apiextensions.k8s.io/v1',
    resource: 'customresourcedefinitions',
    namespaced: false,
  },
  Widget: { apiVersion: 'example.com/v1', resource: 'widgets', namespaced: true },
};

/** An object of a kind the table knows: `obj('Deployment', 'web', {spec: …})` in namespace `app`. */
export function obj(
  kind: string,
  name: string,
  body: Record<string, unknown> = {},
  namespace = 'app',
): KubeObject {
  const known = KINDS[kind];
  if (!known) throw new Error(`support.ts knows no kind ${kind}`);
  const { metadata, ...rest } = body as { metadata?: Record<string, unknown> };
  return {
    apiVersion: known.apiVersion,
    kind,
    metadata: { name, ...(known.namespaced ? { namespace } : {}), ...(metadata ?? {}) },
    ...rest,
  };
}

/** A Deployment whose one pod template has these containers (and pod spec fields). */
export function deployment(
  name: string,
  podSpec: Record<string, unknown>,
  more: Record<string, unknown> = {},
): KubeObject {
  return obj('Deployment', name, {
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec },
      ...more,
    },
  });
}

export interface Planned {
  desired: KubeObject;
  live?: KubeObject | null;
  /** What the apply leaves, when not Git's object (fields other managers own, server defaults). */
  predicted?: KubeObject;
  refusal?: ApiRefusal;
  diffMode?: 'server' | 'client';
  /** Three-way: the class every change gets. */
  changeClass?: ChangeClass;
  prStatus?: PrStatus;
}

/** One planned object, its entry computed as the plan compares: live vs what Git leaves. */
export function planned(p: Planned): PlannedObject {
  const ref = refOf(p.desired);
  const live = p.live ?? null;
  const changes =
    live && !p.refusal ? diffObjects(live, p.predicted ?? p.desired, '', BUILTIN_LIST_SEMANTICS) : [];
  if (p.changeClass) for (const c of changes) c.class = p.changeClass;
  const entry: ChangeSetEntry = {
    ref,
    action: !live ? 'created' : changes.length > 0 ? 'configured' : 'unchanged',
    source: { file: `manifests/${p.desired.metadata.name}.yaml`, line: 1 },
    changes,
    diff: '',
  };
  if (p.diffMode) entry.diffMode = p.diffMode;
  if (p.prStatus) entry.prStatus = p.prStatus;
  const out: PlannedObject = {
    desired: { object: p.desired, source: { file: `manifests/${p.desired.metadata.name}.yaml`, line: 1 } },
    ref,
    entry,
    applyObject: p.desired,
    live,
    manualFields: [],
  };
  if (p.refusal) out.refusal = p.refusal;
  return out;
}

export function deletion(
  live: KubeObject,
  origin: 'inventory' | 'flux' = 'inventory',
  prStatus?: PrStatus,
): PlannedDeletion {
  const ref = refOf(live);
  const entry: ChangeSetEntry = { ref, action: 'deleted', changes: [], diff: '', note: 'left Git' };
  if (prStatus) entry.prStatus = prStatus;
  return { ref, entry, live, origin };
}

/** A cluster that answers lists from `objects`; kinds in `forbidden` (`group|Kind`) answer 403. */
export function clusterOf(objects: KubeObject[], forbidden: string[] = []): RiskCluster {
  const infos = Object.entries(KINDS).map(([kind, k]): ResourceInfo => {
    const slash = k.apiVersion.indexOf('/');
    return {
      group: slash === -1 ? '' : k.apiVersion.slice(0, slash),
      kind,
      resource: k.resource,
      namespaced: k.namespaced,
      versions: [slash === -1 ? k.apiVersion : k.apiVersion.slice(slash + 1)],
      verbs: ['get', 'list'],
    };
  });
  return {
    info: (ref) => infos.find((i) => i.group === ref.group && i.kind === ref.kind),
    kinds: () => infos,
    list: async (info, _version, namespace) => {
      if (forbidden.includes(`${info.group}|${info.kind}`))
        throw new KubeApiError(
          403,
          { reason: 'Forbidden', message: `${info.resource} is forbidden` },
          'https://127.0.0.1:6443',
          { verb: 'list', subject: info.resource },
        );
      return objects.filter((o) => {
        const ref = refOf(o);
        return (
          ref.group === info.group &&
          o.kind === info.kind &&
          (namespace === null || ref.namespace === namespace)
        );
      });
    },
  };
}

export interface ReviewOptions {
  objects?: PlannedObject[];
  deletions?: PlannedDeletion[];
  live?: KubeObject[];
  forbidden?: string[];
  prune?: boolean;
  maxDeletions?: number;
  force?: boolean;
  accepted?: RiskAcceptance[];
  threeWay?: boolean;
  warnings?: string[];
}

export function review(o: ReviewOptions): Promise<RiskReview> {
  const objects = o.objects ?? [];
  const deletions = o.deletions ?? [];
  return reviewRisks({
    plan: { objects, deletions },
    changeSet: {
      target: 't',
      entries: [...objects.map((p) => p.entry), ...deletions.map((d) => d.entry)],
      errors: [],
    },
    threeWay: o.threeWay ?? false,
    settings: {
      target: 't',
      prune: o.prune ?? true,
      maxDeletions: o.maxDeletions ?? 25,
      force: o.force ?? false,
      accepted: o.accepted ?? [],
    },
    cluster: clusterOf(o.live ?? [], o.forbidden),
    onWarning: (m) => o.warnings?.push(m),
  });
}

/** `rule severity subject: message` lines, for assertions a reader can check at a glance. */
export function lines(review: RiskReview, rule?: string): string[] {
  return review.findings
    .filter((f) => !rule || f.rule === rule)
    .map((f) => `${f.rule} ${f.severity} ${f.subject}: ${f.message}`);
}
