// delete-stateful (what a deletion takes with it, read live) and prune-over-limit (prunes past max-deletions).

import { isPlainObject } from '../drift/jsondiff.ts';
import type { ResourceInfo } from '../kube/discovery.ts';
import type { KubeObject } from '../model.ts';
import { type DeletionView, deletionOrigin, type RiskContext, type RiskDraft } from './context.ts';
import { escapePattern } from './fields.ts';
import { plural } from './immutable.ts';
import type { RuleReads } from './reader.ts';

/** Objects a Namespace holds that nobody made by hand: they say nothing about what is lost. */
const DERIVED_KINDS = new Set([
  '|Event',
  'events.k8s.io|Event',
  '|Endpoints',
  'discovery.k8s.io|EndpointSlice',
]);
const DEFAULT_OBJECTS = new Set(['ServiceAccount/default', 'ConfigMap/kube-root-ca.crt']);

export async function checkStatefulDeletions(context: RiskContext, reads: RuleReads): Promise<RiskDraft[]> {
  const drafts: RiskDraft[] = [];
  for (const view of context.deletions) {
    if (view.entry.action !== 'deleted') continue;
    const radius = await blastRadius(view, reads);
    if (!radius) continue;
    const draft: RiskDraft = {
      subject: view.subject,
      message: `${who(context, view)} ${radius.message}`,
      severity: radius.severity,
    };
    const origin = deletionOrigin(context, view);
    if (origin) draft.origin = origin;
    drafts.push(draft);
  }
  return drafts;
}

function who(context: RiskContext, view: DeletionView): string {
  if (view.origin === 'flux') return 'Flux prunes';
  return context.settings.prune ? 'prune deletes' : 'prune (off in this run) would delete';
}

interface Radius {
  message: string;
  severity: 'warning' | 'danger';
}

async function blastRadius(view: DeletionView, reads: RuleReads): Promise<Radius | undefined> {
  const kind = `${view.ref.group}|${view.ref.kind}`;
  switch (kind) {
    case '|PersistentVolumeClaim': {
      const volume = isPlainObject(view.live.spec) ? view.live.spec.volumeName : undefined;
      const on = typeof volume === 'string' && volume ? `PersistentVolume/${volume}` : 'its volume';
      return {
        message: `this PersistentVolumeClaim, and the data on ${on} when the volume's reclaim policy is Delete`,
        severity: 'danger',
      };
    }
    case '|Namespace':
      return namespaceRadius(view, reads);
    case 'apiextensions.k8s.io|CustomResourceDefinition':
      return crdRadius(view, reads);
    case 'apps|StatefulSet':
      return statefulSetRadius(view, reads);
    default:
      return undefined;
  }
}

async function namespaceRadius(view: DeletionView, reads: RuleReads): Promise<Radius> {
  const kinds = reads
    .kinds()
    .filter((k) => k.namespaced && k.verbs.includes('list') && !DERIVED_KINDS.has(`${k.group}|${k.kind}`));
  const lists = await Promise.all(kinds.map((k) => reads.listInfo(k, view.ref.name)));
  const counts = new Map<string, number>();
  let unread = 0;
  lists.forEach((items, i) => {
    if (!items) {
      unread++;
      return;
    }
    const made = items.filter((o) => !isDerived(o));
    if (made.length > 0) counts.set(kinds[i].kind, (counts.get(kinds[i].kind) ?? 0) + made.length);
  });
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const atLeast = unread > 0 ? 'at least ' : '';
  if (total === 0)
    return {
      message: `this Namespace; it holds ${unread > 0 ? 'no objects that could be read' : 'no objects'} now`,
      severity: 'warning',
    };
  const byKind = [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return {
    message: `this Namespace and the ${atLeast}${plural(total, 'object')} in it (${byKind})`,
    severity: 'danger',
  };
}

function isDerived(object: KubeObject): boolean {
  if (DEFAULT_OBJECTS.has(`${object.kind}/${object.metadata.name}`)) return true;
  const owners = object.metadata.ownerReferences;
  return Array.isArray(owners) && owners.some((o) => isPlainObject(o) && o.controller === true);
}

async function crdRadius(view: DeletionView, reads: RuleReads): Promise<Radius | undefined> {
  const info = crdInfo(view.live);
  if (!info) return undefined;
  const items = await reads.listInfo(info, null);
  if (!items)
    return {
      message: `this CustomResourceDefinition and every ${info.kind} object in the cluster (they could not be counted)`,
      severity: 'danger',
    };
  if (items.length === 0)
    return {
      message: `this CustomResourceDefinition; no ${info.kind} objects exist now`,
      severity: 'warning',
    };
  return {
    message: `this CustomResourceDefinition and with it the ${items.length} ${info.kind} objects in the cluster`,
    severity: 'danger',
  };
}

/** The kind a CRD defines, as discovery would list it (the CRD may be the only record left of it). */
export function crdInfo(crd: KubeObject): ResourceInfo | undefined {
  const spec = crd.spec;
  if (!isPlainObject(spec) || !isPlainObject(spec.names) || typeof spec.group !== 'string') return undefined;
  const { kind, plural: resource } = spec.names;
  if (typeof kind !== 'string' || typeof resource !== 'string') return undefined;
  const versions = (Array.isArray(spec.versions) ? spec.versions : [])
    .filter((v): v is Record<string, unknown> => isPlainObject(v) && v.served !== false)
    .sort((a, b) => Number(b.storage === true) - Number(a.storage === true))
    .map((v) => String(v.name));
  if (versions.length === 0) return undefined;
  return {
    group: spec.group,
    kind,
    resource,
    namespaced: spec.scope === 'Namespaced',
    versions,
    verbs: ['list'],
  };
}

async function statefulSetRadius(view: DeletionView, reads: RuleReads): Promise<Radius> {
  const spec = isPlainObject(view.live.spec) ? view.live.spec : {};
  const templates = (Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [])
    .map((t) => (isPlainObject(t) && isPlainObject(t.metadata) ? t.metadata.name : undefined))
    .filter((n): n is string => typeof n === 'string');
  const status = isPlainObject(view.live.status) ? view.live.status : {};
  const pods = typeof status.replicas === 'number' ? plural(status.replicas, 'Pod') : 'Pods';
  if (templates.length === 0) return { message: `this StatefulSet and its ${pods}`, severity: 'warning' };
  const claims = await reads.list({ group: '', kind: 'PersistentVolumeClaim' }, view.ref.namespace);
  const policy = isPlainObject(spec.persistentVolumeClaimRetentionPolicy)
    ? spec.persistentVolumeClaimRetentionPolicy.whenDeleted
    : undefined;
  if (!claims)
    return {
      message: `this StatefulSet and its ${pods}; its PersistentVolumeClaims could not be listed`,
      severity: policy === 'Delete' ? 'danger' : 'warning',
    };
  const name = view.ref.name;
  const own = claims
    .map((c) => c.metadata.name)
    .filter((n) =>
      templates.some((t) => new RegExp(`^${escapePattern(t)}-${escapePattern(name)}-\\d+$`).test(n)),
    )
    .sort();
  if (own.length === 0)
    return {
      message: `this StatefulSet and its ${pods}; it has no PersistentVolumeClaims now`,
      severity: 'warning',
    };
  const listed = `${plural(own.length, 'PersistentVolumeClaim')} (${own.join(', ')})`;
  if (policy === 'Delete')
    return {
      message: `this StatefulSet, its ${pods} and its ${listed}: whenDeleted is Delete`,
      severity: 'danger',
    };
  return { message: `this StatefulSet and its ${pods}; its ${listed} are kept`, severity: 'warning' };
}

/** prune-over-limit: more deletions than max-deletions, so remediation prunes none of them. */
export function checkPruneOverLimit(context: RiskContext): RiskDraft[] {
  const { prune, maxDeletions, target } = context.settings;
  if (!prune) return [];
  const count = context.deletions.filter(
    (d) => d.entry.action === 'deleted' && d.origin === 'inventory',
  ).length;
  if (count <= maxDeletions) return [];
  return [
    {
      subject: `target/${target}`,
      message: `prune would delete ${count} objects, more than max-deletions (${maxDeletions}): remediation refuses to prune any of them; raise max-deletions if this is intended`,
    },
  ];
}
