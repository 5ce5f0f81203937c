// availability: replicas to 0, readiness probes removed, unsatisfiable PodDisruptionBudgets, images off digests or to latest.

import { isPlainObject } from '../drift/jsondiff.ts';
import { type LabelSelector, matchesSelector } from '../drift/selector.ts';
import type { KubeObject } from '../model.ts';
import { draftFor, type ObjectView, type RiskContext, type RiskDraft } from './context.ts';
import { changedFields, containersOf, escapePattern, podSpecOf, podSpecPointer, valueAt } from './fields.ts';
import { imageChanges } from './images.ts';
import type { RuleReads } from './reader.ts';

const SCALED_KINDS = ['apps|Deployment', 'apps|StatefulSet', 'apps|ReplicaSet', '|ReplicationController'];

export async function checkAvailability(context: RiskContext, reads: RuleReads): Promise<RiskDraft[]> {
  const drafts: RiskDraft[] = [];
  for (const view of context.objects) {
    if (view.entry.action === 'unchanged' || view.entry.action === 'skipped') continue;
    const add = (message: string, pointers: string[]) =>
      drafts.push(draftFor(context, view, message, pointers));
    if (SCALED_KINDS.includes(`${view.ref.group}|${view.ref.kind}`))
      for (const field of changedFields(view.entry.changes, /^\/spec\/replicas$/))
        if (field.after === 0 && typeof field.before === 'number' && field.before > 0)
          add(`scales to 0 replicas (from ${field.before}): it stops serving`, ['/spec/replicas']);
    for (const removed of probesRemoved(view))
      add(
        `readiness probe removed from container ${removed.container}: its Pods count as ready before they are`,
        [removed.pointer],
      );
    for (const image of imageChanges(view)) {
      const moved = imageMove(image.from, image.to);
      if (moved) add(`container ${image.container}: image ${moved}`, [image.pointer]);
    }
    if (view.ref.group === 'policy' && view.ref.kind === 'PodDisruptionBudget') {
      const message = await budgetProblem(view.desired, reads);
      if (message) add(message, ['/spec']);
    }
  }
  return drafts;
}

/**
 * Containers whose readiness probe the apply removes: Git's container has none while the change
 * set removes fields of the live one (the whole probe, or its handler with defaults left behind).
 */
function probesRemoved(view: ObjectView): { container: string; pointer: string }[] {
  const podSpec = podSpecPointer(view.ref);
  if (!podSpec) return [];
  const pattern = new RegExp(
    `^(${escapePattern(podSpec)}/(initContainers|containers)/(\\d+))/readinessProbe(/|$)`,
  );
  const gitContainers = new Map(containersOf(podSpecOf(view.desired, view.ref)).map((c) => [c.name, c]));
  const found = new Map<string, string>();
  for (const change of view.entry.changes) {
    const match = pattern.exec(change.path);
    if (!match || change.after !== undefined || !view.live) continue;
    const name = valueAt(view.live, `${match[1]}/name`);
    if (typeof name !== 'string' || found.has(name)) continue;
    if (gitContainers.get(name)?.value.readinessProbe === undefined)
      found.set(name, `${match[1]}/readinessProbe`);
  }
  return [...found].map(([container, pointer]) => ({ container, pointer }));
}

/** "moves from a digest to a tag (…)" or "moves to latest (…)", or undefined. */
export function imageMove(from: string | undefined, to: string): string | undefined {
  if (from === undefined) return undefined;
  const pinned = (image: string) => image.includes('@');
  if (isLatest(to) && !isLatest(from)) return `moves to latest (${from} → ${to})`;
  if (pinned(from) && !pinned(to)) return `moves from a digest to a tag (${from} → ${to})`;
  return undefined;
}

function isLatest(image: string): boolean {
  if (image.includes('@')) return false;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon === -1 || last.slice(colon + 1) === 'latest';
}

const BUDGET_WORKLOADS = [
  { group: 'apps', kind: 'Deployment' },
  { group: 'apps', kind: 'StatefulSet' },
];

/** Why a PodDisruptionBudget allows no eviction with the live replica count, or undefined. */
async function budgetProblem(budget: KubeObject, reads: RuleReads): Promise<string | undefined> {
  const spec = isPlainObject(budget.spec) ? budget.spec : {};
  const selector = labelSelector(spec.selector);
  if (!selector) return undefined;
  const selected: string[] = [];
  let replicas = 0;
  for (const kind of BUDGET_WORKLOADS) {
    for (const workload of (await reads.list(kind, budget.metadata.namespace ?? null)) ?? []) {
      const workloadSpec = isPlainObject(workload.spec) ? workload.spec : {};
      const template = isPlainObject(workloadSpec.template) ? workloadSpec.template : {};
      const labels = isPlainObject(template.metadata) ? template.metadata.labels : undefined;
      if (!matchesSelector(selector, labels as Record<string, string> | undefined)) continue;
      const count = typeof workloadSpec.replicas === 'number' ? workloadSpec.replicas : 1;
      selected.push(`${workload.kind}/${workload.metadata.name} runs ${count}`);
      replicas += count;
    }
  }
  if (selected.length === 0) return undefined;
  const required = requiredAvailable(spec, replicas);
  if (required === undefined || required < replicas) return undefined;
  const rule =
    spec.minAvailable !== undefined
      ? `minAvailable ${String(spec.minAvailable)}`
      : `maxUnavailable ${String(spec.maxUnavailable)}`;
  const verdict = required > replicas ? 'cannot be met' : 'allows no eviction';
  return `${rule} ${verdict} with the ${replicas} live replicas it selects (${selected.sort().join(', ')}): node drains and evictions block`;
}

/** How many Pods must stay available, or undefined when the budget says nothing. */
function requiredAvailable(spec: Record<string, unknown>, replicas: number): number | undefined {
  const count = (value: unknown, round: (n: number) => number): number | undefined => {
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && /^\d+%$/.test(value))
      return round((Number.parseInt(value, 10) * replicas) / 100);
    return undefined;
  };
  if (spec.minAvailable !== undefined) return count(spec.minAvailable, Math.ceil);
  const unavailable = count(spec.maxUnavailable, Math.ceil);
  return unavailable === undefined ? undefined : replicas - unavailable;
}

function labelSelector(value: unknown): LabelSelector | undefined {
  if (!isPlainObject(value)) return undefined;
  const out: LabelSelector = [];
  if (isPlainObject(value.matchLabels))
    for (const [key, v] of Object.entries(value.matchLabels))
      out.push({ op: 'in', key, values: new Set([String(v)]) });
  for (const e of Array.isArray(value.matchExpressions) ? value.matchExpressions : []) {
    if (!isPlainObject(e) || typeof e.key !== 'string') continue;
    const values = new Set(Array.isArray(e.values) ? e.values.map(String) : []);
    const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: 'absent' }[String(e.operator)];
    if (op === 'in' || op === 'notin') out.push({ op, key: e.key, values });
    else if (op === 'exists' || op === 'absent') out.push({ op, key: e.key });
  }
  return out.length > 0 ? out : undefined;
}
