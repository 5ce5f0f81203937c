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
  { kinds: ['|Service'], fields: ['/spec/clusterIP', '/spec/clusterIPs'] },
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
    if (view.refusal?.kind === 'immutable') {
      const fields = view.refusal.fields;
      const named = fields.length > 0 ? `immutable field ${fields.join(', ')}` : 'an immutable field';
      drafts.push(
        draftFor(context, view, `${named} changes, so the apply is refused; ${remedy(context, view)}`, []),
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
        `${named} changes (predicted: no dry-run ran), so the apply would be refused; ${remedy(context, view)}`,
        fields.map((c) => c.path),
      ),
      predicted: true,
    });
  }
  return drafts;
}

/** The entry's changes to fields the table knows to be immutable. */
export function predictedImmutable(view: ObjectView): FieldChange[] {
  const kind = `${view.ref.group}|${view.ref.kind}`;
  const found = new Set<FieldChange>();
  for (const rule of KNOWN_IMMUTABLE_FIELDS) {
    if (!rule.kinds.includes(kind)) continue;
    if (rule.when && (!view.live || !rule.when(view.live))) continue;
    for (const change of view.entry.changes) {
      if (rule.except?.some((e) => e.test(change.path))) continue;
      if (rule.fields.some((f) => change.path === f || change.path.startsWith(`${f}/`))) found.add(change);
    }
  }
  return [...found];
}

function dotted(pointer: string): string {
  return pointer.slice(1).replaceAll('/', '.');
}

/** What remediation does about it, and what recreating costs. */
function remedy(context: RiskContext, view: ObjectView): string {
  const cost = recreateCost(view);
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
