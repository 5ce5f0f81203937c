// The plan with the in-sync proof: which objects are dry-run under verify auto and all, the
// kinds always dry-run, client mode, and the same entries in every mode. A small stand-in
// answers reads and dry-runs (the integration test does the same on the real server).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaListSemantics } from '../../../src/drift/list-semantics.ts';
import { type PlanCluster, type PlanOptions, plan } from '../../../src/drift/plan.ts';
import type { ResourceInfo } from '../../../src/kube/discovery.ts';
import {
  type DesiredObject,
  type FieldsV1,
  identityOf,
  type KubeObject,
  type ManagedFieldsEntry,
  type ObjectRef,
  refOf,
  subjectOf,
} from '../../../src/model.ts';
import { Redactor } from '../../../src/redaction.ts';

const CONFIG_MAPS: ResourceInfo = {
  group: '',
  kind: 'ConfigMap',
  resource: 'configmaps',
  namespaced: true,
  versions: ['v1'],
  verbs: ['list'],
};
const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } };
const lists = schemaListSemantics(
  new Map([
    [
      'v1',
      {
        components: {
          schemas: {
            ConfigMap: {
              type: 'object',
              'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'ConfigMap' }],
              properties: {
                metadata: { allOf: [{ $ref: '#/components/schemas/ObjectMeta' }] },
                data: STRING_MAP,
              },
            },
            ObjectMeta: { type: 'object', properties: { labels: STRING_MAP, annotations: STRING_MAP } },
          },
        },
      },
    ],
  ]),
);
const OWNER = { 'kube-drift.dev/owner': 'kube-drift', 'kube-drift.dev/name': 'shop' };

class StandIn implements PlanCluster {
  readonly dryRuns: string[] = [];
  private readonly live: KubeObject[];
  constructor(live: KubeObject[]) {
    this.live = live;
  }
  info(ref: Pick<ObjectRef, 'group' | 'kind'>): ResourceInfo | undefined {
    return ref.kind === 'ConfigMap' && ref.group === '' ? CONFIG_MAPS : undefined;
  }
  async get(ref: ObjectRef): Promise<KubeObject | null> {
    return this.live.find((o) => identityOf(refOf(o)) === identityOf(ref)) ?? null;
  }
  async list(): Promise<KubeObject[]> {
    return this.live;
  }
  /**
   * Answers as server-side apply would for these objects: Git's data over live, keys kube-drift
   * applied before and Git no longer sets removed, live's labels kept unless Git sets them.
   */
  async apply(object: KubeObject, ref: ObjectRef): Promise<KubeObject> {
    this.dryRuns.push(subjectOf(ref));
    const live = await this.get(ref);
    if (!live) return { ...structuredClone(object), metadata: { ...object.metadata, resourceVersion: '' } };
    const answer = structuredClone(live);
    const data: Record<string, string> = { ...(live.data as Record<string, string>) };
    const mine = live.metadata.managedFields?.find((m) => m.manager === 'kube-drift')?.fieldsV1?.['f:data'];
    for (const key of Object.keys(mine ?? {})) delete data[key.slice(2)];
    answer.data = { ...data, ...(object.data as object) };
    answer.metadata.labels = { ...live.metadata.labels, ...object.metadata.labels };
    return answer;
  }
  async update(): Promise<KubeObject> {
    throw new Error('no dry-run update is expected here');
  }
}

const applied = (fields: FieldsV1): ManagedFieldsEntry => ({
  manager: 'kube-drift',
  operation: 'Apply',
  fieldsType: 'FieldsV1',
  fieldsV1: {
    'f:metadata': { 'f:labels': { 'f:kube-drift.dev/owner': {}, 'f:kube-drift.dev/name': {} } },
    'f:data': fields,
  },
});

function cm(
  name: string,
  data: Record<string, string>,
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop', ...extra }, data };
}

function liveObjects(): KubeObject[] {
  const mine = [applied({ 'f:mode': {} })];
  const labelled = [
    ...mine,
    {
      manager: 'kubectl-label',
      operation: 'Update' as const,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:hotfix': {} } } },
    },
  ];
  return [
    cm('same', { mode: 'fast' }, { resourceVersion: '1', labels: OWNER, managedFields: mine }),
    cm('changed', { mode: 'slow' }, { resourceVersion: '2', labels: OWNER, managedFields: mine }),
    cm(
      'labelled',
      { mode: 'fast' },
      { resourceVersion: '3', labels: { ...OWNER, hotfix: 'y' }, managedFields: labelled },
    ),
    cm(
      'dropped',
      { mode: 'fast', old: 'x' },
      {
        resourceVersion: '4',
        labels: OWNER,
        managedFields: [applied({ 'f:mode': {}, 'f:old': {} })],
      },
    ),
  ];
}

const desired: DesiredObject[] = ['same', 'changed', 'labelled', 'dropped', 'new'].map((name, i) => ({
  object: cm(name, { mode: 'fast' }),
  source: { file: 'app.yaml', line: i + 1 },
}));

async function run(extra: Partial<PlanOptions>, objects = desired, live = liveObjects()) {
  const cluster = new StandIn(live);
  const result = await plan(objects, cluster, {
    target: 'shop',
    defaultNamespace: 'shop',
    fieldManager: 'kube-drift',
    concurrency: 1,
    ignoreRules: [],
    redactor: new Redactor(),
    diffMode: 'server',
    listSemantics: lists,
    ...extra,
  });
  const entries = result.changeSet.entries.map(
    (e) =>
      `${e.action} ${e.ref.name}${e.changes.map((c) => ` ${c.path}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`).join(',')}`,
  );
  const issued = [...cluster.dryRuns];
  return { dryRuns: cluster.dryRuns.sort(), issued, entries, verification: result.changeSet.verification };
}

describe('verifying the plan', () => {
  it('auto: only objects the proof does not hold for are dry-run, and the entries are those of all', async () => {
    const auto = await run({ verify: 'auto' });
    const all = await run({ verify: 'all' });
    assert.deepEqual(auto.dryRuns, [
      'ConfigMap/shop/changed',
      'ConfigMap/shop/dropped',
      'ConfigMap/shop/new',
    ]);
    assert.deepEqual(auto.verification, { dryRun: 3, proof: 2, clientSide: 0, notVerifiable: 0 });
    assert.equal(all.dryRuns.length, 5);
    assert.deepEqual(all.verification, { dryRun: 5, proof: 0, clientSide: 0, notVerifiable: 0 });
    assert.deepEqual(auto.entries, all.entries);
    assert.deepEqual(auto.entries, [
      'configured changed /data/mode: "slow" -> "fast"',
      'configured dropped /data/old: "x" -> undefined',
      // Its only label besides kube-drift's own (which are not compared): the map goes.
      'configured labelled /metadata/labels: {"hotfix":"y"} -> undefined',
      'created new',
      'unchanged same',
    ]);
  });

  it('verify-kinds: those kinds are dry-run whatever the proof says', async () => {
    const { dryRuns, verification } = await run({ verifyKinds: ['ConfigMap'] });
    assert.equal(dryRuns.length, 5);
    assert.deepEqual(verification, { dryRun: 5, proof: 0, clientSide: 0, notVerifiable: 0 });
  });

  it('client mode: the proof decides in sync, a certain change is predicted client-side, the same entries', async () => {
    const client = await run({ diffMode: 'client' });
    const server = await run({});
    assert.deepEqual(client.dryRuns, []);
    assert.deepEqual(client.verification, { dryRun: 0, proof: 2, clientSide: 3, notVerifiable: 0 });
    assert.deepEqual(client.entries, server.entries);
    const all = await run({ diffMode: 'client', verify: 'all' });
    assert.deepEqual(all.verification, { dryRun: 0, proof: 0, clientSide: 5, notVerifiable: 0 });
  });

  it('client mode: a difference only the server can explain is not verifiable, reported skipped', async () => {
    const emptied = cm('emptied', {});
    const live = cm('emptied', {}, { resourceVersion: '9', labels: OWNER, managedFields: [] });
    delete live.data;
    const { entries, verification } = await run(
      { diffMode: 'client' },
      [{ object: emptied, source: { file: 'app.yaml', line: 1 } }],
      [live],
    );
    assert.deepEqual(entries, ['skipped emptied']);
    assert.deepEqual(verification, { dryRun: 0, proof: 0, clientSide: 0, notVerifiable: 1 });
  });

  it('plans first what another manager wrote to and what is new; reports in Git order all the same', async () => {
    const mine = [applied({ 'f:mode': {} })];
    const edited = [
      ...mine,
      {
        manager: 'kubectl-edit',
        operation: 'Update' as const,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:mode': {} } },
      },
    ];
    const status = [...mine, { manager: 'kube-controller-manager', operation: 'Update' as const }];
    const live = [
      cm('a', { mode: 'slow' }, { resourceVersion: '1', labels: OWNER, managedFields: mine }),
      cm('b', { mode: 'slow' }, { resourceVersion: '2', labels: OWNER, managedFields: edited }),
      cm('d', { mode: 'slow' }, { resourceVersion: '3', labels: OWNER, managedFields: status }),
    ];
    const objects = ['a', 'b', 'c', 'd'].map((name, i) => ({
      object: cm(name, { mode: 'fast' }),
      source: { file: 'app.yaml', line: i + 1 },
    }));
    const { issued, entries } = await run({}, objects, live);
    // b (kubectl-edit) and c (to create) first; a controller's write (d) does not count.
    assert.deepEqual(issued, [
      'ConfigMap/shop/b',
      'ConfigMap/shop/c',
      'ConfigMap/shop/a',
      'ConfigMap/shop/d',
    ]);
    assert.deepEqual(entries, [
      'configured a /data/mode: "slow" -> "fast"',
      'configured b /data/mode: "slow" -> "fast"',
      'created c',
      'configured d /data/mode: "slow" -> "fast"',
    ]);
  });
});
