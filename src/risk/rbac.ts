// rbac-escalation: Roles gaining wildcards, escalate/bind/impersonate or cluster-wide Secret reads; cluster-admin bindings.

import { isPlainObject } from '../drift/jsondiff.ts';
import type { KubeObject } from '../model.ts';
import { draftFor, type ObjectView, type RiskContext, type RiskDraft } from './context.ts';

const RBAC = 'rbac.authorization.k8s.io';
const READ_VERBS = ['get', 'list', 'watch', '*'];
const POWERFUL_VERBS = ['escalate', 'bind', 'impersonate'];

export function checkRbacEscalation(context: RiskContext): RiskDraft[] {
  const drafts: RiskDraft[] = [];
  for (const view of context.objects) {
    if (view.ref.group !== RBAC || view.entry.action === 'unchanged' || view.entry.action === 'skipped')
      continue;
    const message =
      view.ref.kind === 'Role' || view.ref.kind === 'ClusterRole'
        ? roleMessage(view)
        : view.ref.kind === 'RoleBinding' || view.ref.kind === 'ClusterRoleBinding'
          ? bindingMessage(view)
          : undefined;
    if (message) drafts.push(draftFor(context, view, message, ['/rules', '/subjects', '/roleRef']));
  }
  return drafts;
}

function roleMessage(view: ObjectView): string | undefined {
  const clusterWide = view.ref.kind === 'ClusterRole';
  const had = new Set(view.live ? grants(view.live, clusterWide) : []);
  const gained = grants(view.desired, clusterWide).filter((g) => !had.has(g));
  if (gained.length === 0) return undefined;
  return `${view.live ? 'gains' : 'grants'} ${[...new Set(gained)].join('; ')}`;
}

/** The powerful grants of a role's rules, each as a phrase; equal phrases are the same grant. */
export function grants(role: KubeObject, clusterWide: boolean): string[] {
  const out: string[] = [];
  for (const rule of Array.isArray(role.rules) ? role.rules : []) {
    if (!isPlainObject(rule)) continue;
    const verbs = strings(rule.verbs);
    const resources = strings(rule.resources);
    const groups = strings(rule.apiGroups);
    const on = resources.length > 0 ? resources.join(', ') : strings(rule.nonResourceURLs).join(', ');
    const inGroups = groups.map((g) => (g === '' ? 'core' : g)).join(', ');
    if (verbs.includes('*')) out.push(`every verb on ${on}${inGroups ? ` (${inGroups})` : ''}`);
    if (resources.includes('*')) out.push(`every resource in ${inGroups || 'every group'}`);
    for (const verb of POWERFUL_VERBS)
      if (verbs.includes(verb)) out.push(`${verb} on ${on}${inGroups ? ` (${inGroups})` : ''}`);
    const secrets =
      (resources.includes('secrets') || resources.includes('*')) &&
      (groups.includes('') || groups.includes('*')) &&
      verbs.some((v) => READ_VERBS.includes(v));
    if (secrets && clusterWide) out.push('read of Secrets cluster-wide');
  }
  return out;
}

function bindingMessage(view: ObjectView): string | undefined {
  const roleRef = view.desired.roleRef;
  if (!isPlainObject(roleRef) || roleRef.kind !== 'ClusterRole' || roleRef.name !== 'cluster-admin')
    return undefined;
  const liveRoleRef = view.live?.roleRef;
  const wasAdmin =
    isPlainObject(liveRoleRef) && liveRoleRef.kind === 'ClusterRole' && liveRoleRef.name === 'cluster-admin';
  const had = new Set(wasAdmin && view.live ? subjects(view.live) : []);
  const added = subjects(view.desired).filter((s) => !had.has(s));
  if (added.length === 0) return undefined;
  const scope =
    view.ref.kind === 'ClusterRoleBinding' ? 'in every namespace' : `in namespace ${view.ref.namespace}`;
  return `binds ${added.join(', ')} to cluster-admin ${scope}`;
}

function subjects(binding: KubeObject): string[] {
  return (Array.isArray(binding.subjects) ? binding.subjects : [])
    .filter(isPlainObject)
    .map((s) => (s.namespace ? `${s.kind}/${s.namespace}/${s.name}` : `${s.kind}/${s.name}`));
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
