// workload-privilege: a pod spec gains privileged, hostPath, host namespaces, capabilities or root where live did not.

import { isPlainObject } from '../drift/jsondiff.ts';
import { draftFor, type ObjectView, type RiskContext, type RiskDraft } from './context.ts';
import {
  type Container,
  changedFields,
  containersOf,
  escapePattern,
  podSpecOf,
  podSpecPointer,
} from './fields.ts';

export function checkWorkloadPrivilege(context: RiskContext): RiskDraft[] {
  const drafts: RiskDraft[] = [];
  for (const view of context.objects) {
    const pointer = podSpecPointer(view.ref);
    if (!pointer || view.entry.action === 'unchanged' || view.entry.action === 'skipped') continue;
    const gained = privilegesGained(podSpecOf(view.desired, view.ref), podSpecOf(view.live, view.ref));
    gained.push(...nonRootDropped(view, pointer));
    if (gained.length > 0) drafts.push(draftFor(context, view, `gains ${gained.join('; ')}`, [pointer]));
  }
  return drafts;
}

/** The privileges Git's pod spec has that the live one has not, each as a phrase. */
export function privilegesGained(desired: unknown, live: unknown): string[] {
  const git = isPlainObject(desired) ? desired : {};
  const now = isPlainObject(live) ? live : {};
  const out: string[] = [];
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'])
    if (git[field] === true && now[field] !== true) out.push(field);
  const liveHostPaths = new Set(hostPaths(now));
  for (const path of hostPaths(git)) if (!liveHostPaths.has(path)) out.push(`hostPath volume ${path}`);
  const liveContainers = new Map(containersOf(now).map((c) => [c.name, c]));
  for (const container of containersOf(git)) {
    const before = liveContainers.get(container.name);
    const name = `container ${container.name}`;
    if (securityOf(container).privileged === true && (!before || securityOf(before).privileged !== true))
      out.push(`privileged ${name}`);
    const had = new Set(before ? capabilities(before) : []);
    const added = capabilities(container).filter((c) => !had.has(c));
    if (added.length > 0) out.push(`capabilities ${added.join(', ')} in ${name}`);
    if (runAsUser(git, container) === 0 && (!before || runAsUser(now, before) !== 0))
      out.push(`root (runAsUser 0) in ${name}`);
  }
  return out;
}

function hostPaths(podSpec: Record<string, unknown>): string[] {
  return (Array.isArray(podSpec.volumes) ? podSpec.volumes : [])
    .filter(isPlainObject)
    .map((v) => (isPlainObject(v.hostPath) ? v.hostPath.path : undefined))
    .filter((p): p is string => typeof p === 'string');
}

function securityOf(container: Container): Record<string, unknown> {
  const context = container.value.securityContext;
  return isPlainObject(context) ? context : {};
}

function capabilities(container: Container): string[] {
  const caps = securityOf(container).capabilities;
  const add = isPlainObject(caps) ? caps.add : undefined;
  return Array.isArray(add) ? add.filter((c): c is string => typeof c === 'string') : [];
}

function runAsUser(podSpec: Record<string, unknown>, container: Container): unknown {
  const own = securityOf(container).runAsUser;
  if (own !== undefined) return own;
  return isPlainObject(podSpec.securityContext) ? podSpec.securityContext.runAsUser : undefined;
}

/** runAsNonRoot: true that the apply removes (pod or container level), from the change set. */
function nonRootDropped(view: ObjectView, podSpec: string): string[] {
  const pattern = new RegExp(
    `^${escapePattern(podSpec)}(?:/(?:initContainers|containers)/(\\d+))?/securityContext/runAsNonRoot$`,
  );
  const out: string[] = [];
  for (const field of changedFields(view.entry.changes, pattern)) {
    if (field.before !== true || field.after === true) continue;
    const index = field.groups[0];
    if (index === undefined) out.push('runAsNonRoot removed');
    else {
      const list = field.pointer.includes('/initContainers/') ? 'initContainers' : 'containers';
      const live = podSpecOf(view.live, view.ref);
      const items = isPlainObject(live) && Array.isArray(live[list]) ? live[list] : [];
      const container = items[Number(index)];
      const name = isPlainObject(container) ? container.name : index;
      out.push(`runAsNonRoot removed in container ${String(name)}`);
    }
  }
  return out;
}
