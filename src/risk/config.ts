// config-without-rollout: a changed ConfigMap or Secret that live workloads consume without a rollout (names only, never values).

import { limiter } from '../concurrency.ts';
import { isPlainObject } from '../drift/jsondiff.ts';
import { identityOf, type KubeObject, refOf } from '../model.ts';
import { draftFor, type RiskContext, type RiskDraft } from './context.ts';
import { containersOf, podSpecOf, podTemplatePointer } from './fields.ts';
import type { RiskReader, RuleReads } from './reader.ts';

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
const NAMESPACES_AT_ONCE = 3;
/**
 * Namespaces read ahead, held until the review takes them: twice the rule's own bound, so that a
 * plan drifting ConfigMaps or Secrets in a few more namespaces than that (five at 1,000 generated
 * objects) does not wait a round trip for the last ones after its dry-runs. About 1 MB each at
 * 5,000 objects (bench/RESULTS.md).
 */
const NAMESPACES_READ_AHEAD = 2 * NAMESPACES_AT_ONCE;

/**
 * The rule's reads of a namespace, started while the plan still waits on the dry-run of a
 * ConfigMap or Secret there (its proof did not hold, so it likely changes): the review then
 * finds them read. At most NAMESPACES_READ_AHEAD namespaces are read ahead; the rest are read as
 * the rule gets to them.
 */
export function consumerReadsAhead(
  reader: Pick<RiskReader, 'prefetch'>,
): (ref: { group: string; kind: string; namespace?: string | null }) => void {
  const started = new Set<string>();
  return (ref) => {
    if (ref.group !== '' || (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret') || !ref.namespace) return;
    if (started.has(ref.namespace) || started.size >= NAMESPACES_READ_AHEAD) return;
    started.add(ref.namespace);
    for (const kind of CONSUMER_KINDS) reader.prefetch(kind, ref.namespace);
  };
}

export async function checkConfigWithoutRollout(
  context: RiskContext,
  reads: RuleReads,
): Promise<RiskDraft[]> {
  const drafts: RiskDraft[] = [];
  const templateChanges = templatesChanging(context);
  const deleted = new Set(context.deletions.map((d) => identityOf(d.ref)));
  const skip = (workload: KubeObject) =>
    deleted.has(identityOf(refOf(workload))) || templateChanges.has(identityOf(refOf(workload)));
  const changed = context.objects.filter(
    (view) =>
      view.ref.group === '' &&
      (view.ref.kind === 'ConfigMap' || view.ref.kind === 'Secret') &&
      view.entry.action === 'configured' &&
      view.entry.changes.some((c) => DATA_FIELDS.some((f) => c.path === f || c.path.startsWith(`${f}/`))),
  );
  // Namespaces are read a few at a time, each namespace's six kinds at once: one after the
  // other, they were a round trip each (30 in a row for five namespaces); all at once, every
  // namespace's workloads and Pods were held at the same time (+20 MB at 5,000 objects).
  const limit = limiter(NAMESPACES_AT_ONCE);
  const indexes = new Map<string, Promise<Map<string, string[]>>>();
  for (const view of changed) {
    const namespace = view.ref.namespace ?? '';
    if (!indexes.has(namespace))
      indexes.set(
        namespace,
        limit(() => consumersIn(namespace, reads, skip)),
      );
  }
  for (const view of changed) {
    const kind = view.ref.kind;
    const index = await indexes.get(view.ref.namespace ?? '');
    const consumers = [...(index?.get(`${kind}/${view.ref.name}`) ?? [])];
    if (consumers.length === 0) continue;
    consumers.sort();
    const what =
      consumers.length === 1 ? 'a live workload consumes' : `${consumers.length} live workloads consume`;
    const message = `${what} this ${kind} and ${consumers.length === 1 ? 'its pod template does' : 'their pod templates do'} not change, so running Pods keep the old values until restarted: ${consumers.join(', ')} (add a checksum annotation to the pod template, or restart them)`;
    drafts.push(draftFor(context, view, message, DATA_FIELDS));
  }
  return drafts;
}

/** The live workloads of a namespace that Git leaves running as they are, by what they consume. */
async function consumersIn(
  namespace: string,
  reads: RuleReads,
  skip: (workload: KubeObject) => boolean,
): Promise<Map<string, string[]>> {
  const index = new Map<string, string[]>();
  // Read at once, indexed in a fixed order: the consumers' order never depends on the answers'.
  const lists = await Promise.all(CONSUMER_KINDS.map((k) => reads.list(k, namespace)));
  for (const list of lists) {
    for (const workload of list ?? []) {
      // Pods and Jobs a controller made are named through it (their Deployment, their CronJob).
      if ((workload.kind === 'Pod' || workload.kind === 'Job') && hasController(workload)) continue;
      if (skip(workload)) continue;
      for (const source of consumed(podSpecOf(workload, refOf(workload)))) {
        const list = index.get(source) ?? [];
        list.push(`${workload.kind}/${workload.metadata.name}`);
        index.set(source, list);
      }
    }
  }
  return index;
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

/** What a pod spec reads (`ConfigMap/name`, `Secret/name`): volumes, projected volumes, envFrom, valueFrom. */
export function consumed(podSpec: unknown): Set<string> {
  const out = new Set<string>();
  if (!isPlainObject(podSpec)) return out;
  const add = (kind: string, name: unknown) => {
    if (typeof name === 'string') out.add(`${kind}/${name}`);
  };
  for (const volume of arrayOf(podSpec.volumes)) {
    if (isPlainObject(volume.configMap)) add('ConfigMap', volume.configMap.name);
    if (isPlainObject(volume.secret)) add('Secret', volume.secret.secretName);
    const sources = isPlainObject(volume.projected) ? volume.projected.sources : undefined;
    for (const source of arrayOf(sources)) {
      if (isPlainObject(source.configMap)) add('ConfigMap', source.configMap.name);
      if (isPlainObject(source.secret)) add('Secret', source.secret.name);
    }
  }
  for (const container of containersOf(podSpec)) {
    for (const from of arrayOf(container.value.envFrom)) {
      if (isPlainObject(from.configMapRef)) add('ConfigMap', from.configMapRef.name);
      if (isPlainObject(from.secretRef)) add('Secret', from.secretRef.name);
    }
    for (const env of arrayOf(container.value.env)) {
      const valueFrom = isPlainObject(env.valueFrom) ? env.valueFrom : {};
      if (isPlainObject(valueFrom.configMapKeyRef)) add('ConfigMap', valueFrom.configMapKeyRef.name);
      if (isPlainObject(valueFrom.secretKeyRef)) add('Secret', valueFrom.secretKeyRef.name);
    }
  }
  return out;
}

function arrayOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}
