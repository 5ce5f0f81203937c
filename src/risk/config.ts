// config-without-rollout: a changed ConfigMap or Secret that live workloads consume without a rollout (names only, never values).

import { isPlainObject } from '../drift/jsondiff.ts';
import { identityOf, type KubeObject, refOf } from '../model.ts';
import { draftFor, type RiskContext, type RiskDraft } from './context.ts';
import { containersOf, podSpecOf, podTemplatePointer } from './fields.ts';
import type { RuleReads } from './reader.ts';

/** Live workload kinds that run Pods from a template, and bare Pods. */
const CONSUMER_KINDS = [
  { group: 'apps', kind: 'Deployment' },
  { group: 'apps', kind: 'StatefulSet' },
  { group: 'apps', kind: 'DaemonSet' },
  { group: 'batch', kind: 'Job' },
  { group: 'batch', kind: 'CronJob' },
  { group: '', kind: 'Pod' },
];

const DATA_FIELDS = ['/data', '/binaryData', '/stringData'];

export async function checkConfigWithoutRollout(
  context: RiskContext,
  reads: RuleReads,
): Promise<RiskDraft[]> {
  const drafts: RiskDraft[] = [];
  const templateChanges = templatesChanging(context);
  const deleted = new Set(context.deletions.map((d) => identityOf(d.ref)));
  for (const view of context.objects) {
    const kind = view.ref.group === '' ? view.ref.kind : '';
    if ((kind !== 'ConfigMap' && kind !== 'Secret') || view.entry.action !== 'configured') continue;
    if (!view.entry.changes.some((c) => DATA_FIELDS.some((f) => c.path === f || c.path.startsWith(`${f}/`))))
      continue;
    const namespace = view.ref.namespace;
    const consumers: string[] = [];
    for (const k of CONSUMER_KINDS) {
      const items = await reads.list(k, namespace);
      for (const workload of items ?? []) {
        // Pods and Jobs a controller made are named through it (their Deployment, their CronJob).
        if ((workload.kind === 'Pod' || workload.kind === 'Job') && hasController(workload)) continue;
        const ref = refOf(workload);
        if (deleted.has(identityOf(ref)) || templateChanges.has(identityOf(ref))) continue;
        if (consumes(podSpecOf(workload, ref), kind, view.ref.name))
          consumers.push(`${ref.kind}/${ref.name}`);
      }
    }
    if (consumers.length === 0) continue;
    consumers.sort();
    const what =
      consumers.length === 1 ? 'a live workload consumes' : `${consumers.length} live workloads consume`;
    const message = `${what} this ${kind} and ${consumers.length === 1 ? 'its pod template does' : 'their pod templates do'} not change, so running Pods keep the old values until restarted: ${consumers.join(', ')} (add a checksum annotation to the pod template, or restart them)`;
    drafts.push(draftFor(context, view, message, DATA_FIELDS));
  }
  return drafts;
}

/** Workloads in Git whose pod template changes in this plan: their Pods restart anyway. */
function templatesChanging(context: RiskContext): Set<string> {
  const out = new Set<string>();
  for (const view of context.objects) {
    const template = podTemplatePointer(view.ref);
    if (!template) continue;
    const changes = view.entry.changes;
    if (
      view.entry.action === 'created' ||
      changes.some((c) => c.path === template || c.path.startsWith(`${template}/`))
    )
      out.add(identityOf(view.ref));
  }
  return out;
}

function hasController(object: KubeObject): boolean {
  const owners = object.metadata.ownerReferences;
  return Array.isArray(owners) && owners.some((o) => isPlainObject(o) && o.controller === true);
}

/** Whether a pod spec reads the ConfigMap or Secret: volumes, projected volumes, envFrom, valueFrom. */
export function consumes(podSpec: unknown, kind: 'ConfigMap' | 'Secret', name: string): boolean {
  if (!isPlainObject(podSpec)) return false;
  const ref = kind === 'ConfigMap' ? 'configMap' : 'secret';
  const nameKey = kind === 'ConfigMap' ? 'name' : 'secretName';
  for (const volume of Array.isArray(podSpec.volumes) ? podSpec.volumes : []) {
    if (!isPlainObject(volume)) continue;
    const direct = volume[ref];
    if (isPlainObject(direct) && direct[nameKey] === name) return true;
    const sources = isPlainObject(volume.projected) ? volume.projected.sources : undefined;
    for (const source of Array.isArray(sources) ? sources : [])
      if (isPlainObject(source) && isPlainObject(source[ref]) && source[ref].name === name) return true;
  }
  const refKey = kind === 'ConfigMap' ? 'configMapRef' : 'secretRef';
  const keyRef = kind === 'ConfigMap' ? 'configMapKeyRef' : 'secretKeyRef';
  for (const container of containersOf(podSpec)) {
    for (const from of arrayOf(container.value.envFrom))
      if (isPlainObject(from[refKey]) && from[refKey].name === name) return true;
    for (const env of arrayOf(container.value.env)) {
      const valueFrom = env.valueFrom;
      if (isPlainObject(valueFrom) && isPlainObject(valueFrom[keyRef]) && valueFrom[keyRef].name === name)
        return true;
    }
  }
  return false;
}

function arrayOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}
