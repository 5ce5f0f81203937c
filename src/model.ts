// The domain values handed from one stage of the flow to the next (see DESIGN.md):
// render → DesiredObject[] → plan → ChangeSet → report/remediate. Every stage may import
// this file; nothing here imports a stage.

/** A Kubernetes object exactly as JSON: unknown fields are kept, never dropped. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldsV1;
  subresource?: string;
}

/** The structured-merge-diff field set: keys are `f:name`, `k:{json}`, `v:json`, `i:N`, or `.`. */
export interface FieldsV1 {
  [key: string]: FieldsV1;
}

/** Where a desired object came from, so reports can point at the manifest line. */
export interface SourceLocation {
  /** Path relative to the repository root (the working directory), with `/` separators. */
  file: string;
  /** 1-based line of the document's start; for rendered sources, the kustomization or chart file's line 1. */
  line: number;
}

/** One object that Git says should exist. */
export interface DesiredObject {
  object: KubeObject;
  source: SourceLocation;
  /**
   * The producer that groups objects in reports, e.g. `Kustomization flux-system/apps` or
   * `HelmRelease podinfo/podinfo`; the rendered path for plain, Kustomize and Helm sources.
   */
  group?: string;
  /**
   * Set on a Secret whose values Git holds encrypted and no given key opens: why its values
   * are not compared. Its metadata and key names still are; it is never applied.
   */
  valuesNotCompared?: string;
  /**
   * Set on a stand-in that holds only the object's identity, because its content is not shown
   * (values decrypted on an untrusted run): reported skipped with this note, never applied.
   */
  notCompared?: string;
}

/** The note on a Secret whose values Git holds encrypted and no given key opens. */
export const NOT_COMPARED_NO_KEY = 'not compared: encrypted, no key';

export interface ObjectRef {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** null for cluster-scoped objects. */
  namespace: string | null;
  name: string;
}

export function refOf(object: KubeObject): ObjectRef {
  const slash = object.apiVersion.indexOf('/');
  return {
    group: slash === -1 ? '' : object.apiVersion.slice(0, slash),
    version: slash === -1 ? object.apiVersion : object.apiVersion.slice(slash + 1),
    kind: object.kind,
    namespace: object.metadata.namespace ?? null,
    name: object.metadata.name,
  };
}

/** `Kind/namespace/name` or `Kind/name`, as Flux names change set subjects. */
export function subjectOf(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** A key that is the same for the same object whatever its version: group, kind, namespace, name. */
export function identityOf(ref: Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>): string {
  return `${ref.group}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}

export type ChangeAction = 'created' | 'configured' | 'unchanged' | 'deleted' | 'skipped';

/** Which controller or person last wrote a live value, from `metadata.managedFields`. */
export interface Attribution {
  manager: string;
  operation: string;
  subresource?: string;
  time?: string;
  /** True for well-known controllers (kube-controller-manager, helm-controller, …). */
  controller: boolean;
}

/** For three-way previews: whose change a field is. */
export type ChangeClass = 'pr' | 'drift' | 'both';

export interface FieldChange {
  /** RFC 6901 JSON pointer into the object (list elements by index in the live object). */
  path: string;
  /** The same field with list elements by key, for people: `spec.template.spec.containers[web].image`. */
  keyedPath?: string;
  /** The live value (absent when the field would be added). Masked for Secrets. */
  before?: unknown;
  /** The value after applying Git (absent when the field would be removed). Masked for Secrets. */
  after?: unknown;
  /** Who wrote the live value; null when no manager owns it; absent when not looked up. */
  changedBy?: Attribution | null;
  class?: ChangeClass;
}

export type DiffMode = 'server' | 'client';

export interface ChangeSetEntry {
  ref: ObjectRef;
  action: ChangeAction;
  source?: SourceLocation;
  group?: string;
  /** Field by field, in document order. Empty unless `configured`. */
  changes: FieldChange[];
  /** Unified diff of the live and predicted YAML (masked). Empty when unchanged. */
  diff: string;
  /** Why an object was skipped, or a remark such as "CRD not installed yet". */
  note?: string;
  diffMode?: DiffMode;
  /** Three-way previews: the object is added or removed by the pull request (absent otherwise). */
  prStatus?: PrStatus;
}

/** For three-way previews: an object the pull request adds (in head, not base) or removes. */
export type PrStatus = 'added' | 'removed';

export interface PlanError {
  message: string;
  /** `Kind/ns/name` of the object concerned, when there is one. */
  object?: string;
  /** File (and line) concerned, when the error is about input. */
  file?: string;
  line?: number;
}

/** What the plan found for one target: one entry per object, in apply order. */
export interface ChangeSet {
  target: string;
  entries: ChangeSetEntry[];
  errors: PlanError[];
  /** Remarks on the run as a whole, e.g. an inventory claimed from an older kube-drift. */
  notes?: string[];
  /** The risk review of this plan (src/risk/); absent when the review is off. */
  risks?: RiskReview;
  /** How the plan verified the objects it compared (absent when it compared none). */
  verification?: Verification;
}

/**
 * Objects verified by a server-side apply dry-run, by the in-sync proof (no request: applying
 * Git provably changes nothing, docs/in-sync-proof.md), predicted client-side (client mode),
 * or not verifiable without a dry-run (client mode; reported skipped, never as drift).
 */
export interface Verification {
  dryRun: number;
  proof: number;
  clientSide: number;
  notVerifiable: number;
}

export interface ChangeSummary {
  created: number;
  configured: number;
  unchanged: number;
  deleted: number;
  skipped: number;
  errors: number;
}

export function summarize(changeSet: ChangeSet): ChangeSummary {
  const summary: ChangeSummary = {
    created: 0,
    configured: 0,
    unchanged: 0,
    deleted: 0,
    skipped: 0,
    errors: 0,
  };
  for (const entry of changeSet.entries) summary[entry.action]++;
  summary.errors = changeSet.errors.length;
  return summary;
}

/** Drift means the cluster differs from Git: anything to create, configure or delete. */
export function hasDrift(summary: ChangeSummary): boolean {
  return summary.created + summary.configured + summary.deleted > 0;
}

/** How much a risk finding matters, least to most: `info`, `warning`, `danger`. */
export type RiskSeverity = 'info' | 'warning' | 'danger';

/** The rules of the risk review (src/risk/rules.ts holds the table). */
export type RiskRuleId =
  | 'immutable-field'
  | 'delete-stateful'
  | 'config-without-rollout'
  | 'rbac-escalation'
  | 'workload-privilege'
  | 'exposure'
  | 'availability'
  | 'prune-over-limit'
  | 'image-change';

/** What a reviewer should know a change can break, measured against the live cluster. */
export interface RiskFinding {
  rule: RiskRuleId;
  severity: RiskSeverity;
  /** `Kind/namespace/name` or `Kind/name` of the object concerned. */
  subject: string;
  /** The manifest line in Git, when the object is in Git (not for deletions). */
  source?: SourceLocation;
  /** One sentence a reviewer can act on. */
  message: string;
  /** Found from a table of known rules rather than the server's answer (no dry-run ran). */
  predicted?: boolean;
  /** Three-way previews: the PR's own change, drift the merge would revert, or both. */
  origin?: ChangeClass;
  /** Accepted in Git (annotation) or in the settings (accept-risk), with the reason given. */
  accepted?: { reason: string; by: 'annotation' | 'settings' };
  /** `image-change` only: one row of the images table. */
  image?: { container: string; from?: string; to?: string };
}

/** A rule the review could not check, and why (credentials that may not read what it needs). */
export interface RiskGap {
  rule: RiskRuleId;
  reason: string;
}

/** The risk review of one plan: findings most severe first, and the rules it could not check. */
export interface RiskReview {
  findings: RiskFinding[];
  unchecked: RiskGap[];
}

const SEVERITY_RANK: Record<RiskSeverity, number> = { info: 0, warning: 1, danger: 2 };

/** True when `severity` is at or above `threshold`. */
export function severityAtLeast(severity: RiskSeverity, threshold: RiskSeverity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}
