// immutable-field: an immutable field changes, from the dry-run's refusal, or predicted from known fields where none ran.

import { isPlainObject } from '../drift/jsondiff.ts';
import type { FieldChange, KubeObject } from '../model.ts';
import { draftFor, type ObjectView, type RiskContext, type RiskDraft } from './context.ts';
import { valueAt } from './fields.ts';

interface ImmutableFields {
  kinds: string[];
  /** Pointers whose value (or anything under it) may not change. */
  fields: string[];
  /** Pointers under `fields` that may change after all. */
  except?: RegExp[];
  /** Only when the live object says so (a ConfigMap with `immutable: true`). */
  when?: (live: KubeObject) => boolean;
  /**
   * False where the server words its refusal otherwise ("may not change once set"): remediation
   * recreates with force only what the server calls immutable.
   */
  forceRecreates?: false;
}

const isImmutableObject = (live: KubeObject) => live.immutable === true;

/** Fields the API server refuses to change, by kind (`group|Kind`). */
export const KNOWN_IMMUTABLE_FIELDS: readonly ImmutableFields[] = [
  { kinds: ['apps|Deployment', 'apps|ReplicaSet', 'apps|DaemonSet'], fields: ['/spec/selector'] },
  {
    kinds: ['apps|StatefulSet'],
    fields: [
      '/spec/selector',
      '/spec/volumeClaimTemplates',
      '/spec/serviceName',
      '/spec/podManagementPolicy',
    ],
  },
  { kinds: ['batch|Job'], fields: ['/spec/selector', '/spec/template', '/spec/completionMode'] },
  { kinds: ['|Service'], fields: ['/spec/clusterIP', '/spec/clusterIPs'], forceRecreates: false },
  {
    kinds: ['|PersistentVolumeClaim'],
    fields: ['/spec'],
    except: [/^\/spec\/resources\/requests(\/|$)/, /^\/spec\/volumeAttributesClassName$/],
  },
  {
    kinds: ['rbac.authorization.k8s.io|RoleBinding', 'rbac.authorization.k8s.io|ClusterRoleBinding'],
    fields: ['/roleRef'],
  },
  {
    kinds: ['storage.k8s.io|StorageClass'],
    fields: ['/provisioner', '/parameters', '/reclaimPolicy', '/volumeBindingMode'],
  },
  { kinds: ['|Secret'], fields: ['/type'] },
  { kinds: ['|ConfigMap', '|Secret'], fields: ['/data', '/binaryData'], when: isImmutableObject },
  {
    kinds: ['|Pod'],
    fields: ['/spec'],
    except: [
      /^\/spec\/(initContainers|containers)\/\d+\/image$/,
      /^\/spec\/(activeDeadlineSeconds|tolerations|schedulingGates)(\/|$)/,
    ],
  },
];

export function checkImmutableFields(context: RiskContext): RiskDraft[] {
  const drafts: RiskDraft[] = [];
  for (const view of context.objects) {
    if (view.refusal?.kind === 'immutable' || refusedOnKnownFields(view)) {
      const fields = view.refusal && 'fields' in view.refusal ? view.refusal.fields : [];
      const named = fields.length > 0 ? `immutable field ${fields.join(', ')}` : 'an immutable field';
      drafts.push(
        draftFor(
          context,
          view,
          `${named} changes, so the apply is refused; ${remedy(context, view, view.refusal?.kind === 'immutable')}`,
          [],
        ),
      );
      continue;
    }
    if (view.entry.action !== 'configured' || view.entry.diffMode !== 'client' || !view.live) continue;
    const fields = predictedImmutable(view);
    if (fields.length === 0) continue;
    const named = `immutable field ${fields.map((c) => c.keyedPath ?? dotted(c.path)).join(', ')}`;
    drafts.push({
      ...draftFor(
        context,
        view,
        `${named} changes (predicted: no dry-run ran), so the apply would be refused; ${remedy(
          context,
          view,
          fields.every((c) => forceRecreates(view, c.path)),
        )}`,
        fields.map((c) => c.path),
      ),
      predicted: true,
    });
  }
  return drafts;
}

/** The entry's changes to fields the table knows to be immutable. */
export function predictedImmutable(view: ObjectView): FieldChange[] {
  return view.entry.changes.filter((change) => isKnownImmutable(view, change.path));
}

/** Whether the table knows the field at this pointer of the object to be immutable. */
function isKnownImmutable(view: ObjectView, pointer: string): boolean {
  return tableEntry(view, pointer) !== undefined;
}

function forceRecreates(view: ObjectView, pointer: string): boolean {
  return tableEntry(view, pointer)?.forceRecreates !== false;
}

function tableEntry(view: ObjectView, pointer: string): ImmutableFields | undefined {
  const kind = `${view.ref.group}|${view.ref.kind}`;
  return KNOWN_IMMUTABLE_FIELDS.find(
    (rule) =>
      rule.kinds.includes(kind) &&
      (!rule.when || (view.live !== null && rule.when(view.live))) &&
      !rule.except?.some((e) => e.test(pointer)) &&
      rule.fields.some((f) => pointer === f || pointer.startsWith(`${f}/`)),
  );
}

/**
 * A refusal the server words otherwise ("may not change once set": a Service's clusterIPs) whose
 * every field the table knows to be immutable.
 */
function refusedOnKnownFields(view: ObjectView): boolean {
  if (view.refusal?.kind !== 'invalid' || view.refusal.fields.length === 0) return false;
  return view.refusal.fields.every((field) => isKnownImmutable(view, pointerOf(field)));
}

/** `spec.clusterIPs[0]` → `/spec/clusterIPs/0`. */
function pointerOf(field: string): string {
  return `/${field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .join('/')}`;
}

function dotted(pointer: string): string {
  return pointer.slice(1).replaceAll('/', '.');
}

/** What remediation does about it, and what recreating costs. */
function remedy(context: RiskContext, view: ObjectView, forceable: boolean): string {
  const cost = recreateCost(view);
  if (!forceable)
    return `remediation cannot recreate it, even with force (the server does not call the field immutable): delete it by hand, which ${cost}, or keep the live value in Git`;
  return context.settings.force
    ? `force is on, so remediation deletes and recreates it, which ${cost}`
    : `remediation recreates it only with force, which ${cost}`;
}

const POD_COUNTS: Record<string, string> = {
  'apps|Deployment': '/status/replicas',
  'apps|StatefulSet': '/status/replicas',
  'apps|ReplicaSet': '/status/replicas',
  'apps|DaemonSet': '/status/currentNumberScheduled',
  '|ReplicationController': '/status/replicas',
  'batch|Job': '/status/active',
};

/** What deleting and creating the object again costs, from its live state. */
export function recreateCost(view: Pick<ObjectView, 'ref' | 'live'>): string {
  const kind = `${view.ref.group}|${view.ref.kind}`;
  const counter = POD_COUNTS[kind];
  if (counter) {
    const count = view.live ? valueAt(view.live, counter) : undefined;
    if (typeof count === 'number') return `deletes and restarts its ${plural(count, 'Pod')}`;
    return 'deletes and restarts its Pods';
  }
  if (kind === '|Pod') return 'deletes and restarts the Pod';
  if (kind === '|Service') {
    const spec = view.live?.spec;
    const ip = isPlainObject(spec) ? spec.clusterIP : undefined;
    if (typeof ip === 'string' && ip !== 'None' && ip !== '') return `gives it a new clusterIP (now ${ip})`;
    return 'deletes it for a moment';
  }
  if (kind === '|PersistentVolumeClaim')
    return "deletes the claim, and its data when the volume's reclaim policy is Delete";
  return 'deletes it for a moment';
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
