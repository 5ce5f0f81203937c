// plan() as an orchestration of its verbs, without a cluster: a small typed stand-in answers
// discovery, reads and dry-runs from fixed data, so what is checked is the plan's own work
// (order, errors, skips, deletions, stopping on an unreachable server).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PlanCluster, type PlanOptions, plan } from '../../../src/drift/plan.ts';
import type { ResourceInfo } from '../../../src/kube/discovery.ts';
import { KubeApiError, KubeConnectionError } from '../../../src/kube/errors.ts';
import {
  type DesiredObject,
  identityOf,
  type KubeObject,
  type ObjectRef,
  refOf,
  subjectOf,
} from '../../../src/model.ts';
import { Redactor } from '../../../src/redaction.ts';

const KINDS: ResourceInfo[] = [
  {
    group: '',
    kind: 'ConfigMap',
    resource: 'configmaps',
    namespaced: true,
    versions: ['v1'],
    verbs: ['list'],
  },
  { group: '', kind: 'Secret', resource: 'secrets', namespaced: true, versions: ['v1'], verbs: ['list'] },
  {
    group: '',
    kind: 'Namespace',
    resource: 'namespaces',
    namespaced: false,
    versions: ['v1'],
    verbs: ['list'],
  },
  {
    group: 'apps',
    kind: 'Deployment',
    resource: 'deployments',
    namespaced: true,
    versions: ['v1'],
    verbs: ['list'],
  },
  {
    group: 'apiextensions.k8s.io',
    kind: 'CustomResourceDefinition',
    resource: 'customresourcedefinitions',
    namespaced: false,
    versions: ['v1'],
    verbs: ['list'],
  },
];
const OWNER = { 'kube-drift.dev/owner': 'kube-drift', 'kube-drift.dev/name': 'shop' };

/** Serves KINDS and the live objects given; a dry-run answers Git's object at the live revision. */
class StandIn implements PlanCluster {
  readonly dryRuns: string[] = [];
  private readonly live: KubeObject[];
  private readonly refuse: (ref: ObjectRef) => Error | undefined;
  constructor(live: KubeObject[], refuse: (ref: ObjectRef) => Error | undefined = () => undefined) {
    this.live = live;
    this.refuse = refuse;
  }
  info(ref: Pick<ObjectRef, 'group' | 'kind'>): ResourceInfo | undefined {
    return KINDS.find((k) => k.group === ref.group && k.kind === ref.kind);
  }
  async get(ref: ObjectRef): Promise<KubeObject | null> {
    return this.live.find((o) => identityOf(refOf(o)) === identityOf(ref)) ?? null;
  }
  async list(
    info: ResourceInfo,
    _v: string,
    namespace: string | null,
    selector?: string,
  ): Promise<KubeObject[]> {
    return this.live.filter(
      (o) =>
        o.kind === info.kind &&
        (namespace === null || o.metadata.namespace === namespace) &&
        (!selector || Object.entries(OWNER).every(([k, v]) => o.metadata.labels?.[k] === v)),
    );
  }
  async apply(object: KubeObject, ref: ObjectRef): Promise<KubeObject> {
    this.dryRuns.push(subjectOf(ref));
    const refused = this.refuse(ref);
    if (refused) throw refused;
    const live = await this.get(ref);
    return {
      ...structuredClone(object),
      metadata: { ...object.metadata, resourceVersion: live?.metadata.resourceVersion ?? '' },
    };
  }
  async update(): Promise<KubeObject> {
    throw new Error('no dry-run update is expected here');
  }
}

const source = (line: number) => ({ file: 'app.yaml', line });
function cm(
  name: string,
  data: Record<string, string>,
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop', ...extra }, data };
}
const wanted = (object: KubeObject, line: number, group?: string): DesiredObject => ({
  object,
  source: source(line),
  group,
});

function options(extra: Partial<PlanOptions> = {}): PlanOptions {
  return {
    target: 'shop',
    defaultNamespace: 'shop',
    fieldManager: 'kube-drift',
    concurrency: 2,
    ignoreRules: [],
    redactor: new Redactor(),
    diffMode: 'server',
    ...extra,
  };
}

describe('plan', () => {
  it('resolves, reads, dry-runs and compares each object, then lists what left Git, in apply order', async () => {
    const managedFields = [
      {
        manager: 'kube-drift',
        operation: 'Apply' as const,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:mode': {} } },
      },
    ];
    const live = [
      cm('same', { mode: 'fast' }, { resourceVersion: '1', labels: OWNER, managedFields }),
      cm('changed', { mode: 'slow' }, { resourceVersion: '2', labels: OWNER, managedFields }),
      cm('left-git', { mode: 'old' }, { resourceVersion: '3', labels: OWNER, uid: 'u-3' }),
    ];
    const cluster = new StandIn(live);
    const progress: number[] = [];
    const result = await plan(
      [
        wanted(cm('same', { mode: 'fast' }), 1),
        wanted(cm('changed', { mode: 'fast' }), 2),
        wanted(cm('new', { mode: 'fast' }), 3),
        wanted(cm('held', { mode: 'x' }, { annotations: { 'kube-drift.dev/reconcile': 'disabled' } }), 4),
        wanted({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, 5),
        wanted({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } }, 6),
      ],
      cluster,
      options({
        inventory: live.map(refOf),
        inputErrors: [{ message: 'a HelmRelease failed to render', object: 'HelmRelease/shop/web' }],
        onProgress: (done) => progress.push(done),
      }),
    );
    assert.deepEqual(
      result.changeSet.entries.map((e) => `${e.action} ${subjectOf(e.ref)}`),
      [
        'created Namespace/shop',
        'configured ConfigMap/shop/changed',
        'skipped ConfigMap/shop/held',
        'created ConfigMap/shop/new',
        'unchanged ConfigMap/shop/same',
        'deleted ConfigMap/shop/left-git',
      ],
    );
    assert.deepEqual(
      result.changeSet.errors.map((e) => e.message.split(':')[0]),
      ['a HelmRelease failed to render', 'unknown kind example.com/v1 Gadget for Gadget/g (app.yaml'],
    );
    assert.ok(!cluster.dryRuns.includes('ConfigMap/shop/held'), 'a skipped object is never dry-run');
    assert.equal(progress.at(-1), 5);
    assert.deepEqual(
      result.deletions.map((d) => [d.origin, d.live.metadata.uid]),
      [['inventory', 'u-3']],
    );
  });

  it('a custom resource whose CRD is new is created without a dry-run', async () => {
    const cluster = new StandIn([]);
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', names: { kind: 'Widget' } },
    };
    const result = await plan(
      [wanted(crd, 1), wanted({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }, 2)],
      cluster,
      options(),
    );
    const widget = result.objects.find((p) => p.ref.kind === 'Widget');
    assert.equal(widget?.kindPending, true);
    assert.equal(widget?.entry.action, 'created');
    assert.equal(
      widget?.entry.note,
      'its CustomResourceDefinition is new in this change and not installed yet',
    );
    assert.deepEqual(cluster.dryRuns, ['CustomResourceDefinition/widgets.example.com']);
    assert.deepEqual(result.changeSet.errors, []);
  });

  it('a refused dry-run is an error naming the object, and the refusal is typed for remediation', async () => {
    const refusal = new KubeApiError(
      409,
      {
        reason: 'Conflict',
        message: 'Apply failed with 1 conflict',
        details: { causes: [{ reason: 'FieldManagerConflict', field: '.data.mode' }] },
      },
      'https://127.0.0.1:6443',
      { verb: 'dry-run apply', subject: 'ConfigMap/shop/a' },
    );
    const cluster = new StandIn([], (ref) => (ref.name === 'a' ? refusal : undefined));
    const result = await plan([wanted(cm('a', {}), 1), wanted(cm('b', {}), 2)], cluster, options());
    assert.deepEqual(
      result.changeSet.entries.map((e) => subjectOf(e.ref)),
      ['ConfigMap/shop/b'],
    );
    assert.deepEqual(
      result.changeSet.errors.map((e) => [e.object, e.file, e.line]),
      [['ConfigMap/shop/a', 'app.yaml', 1]],
    );
    assert.deepEqual(result.objects[0].refusal, { kind: 'field-conflict', fields: ['.data.mode'] });
  });

  it('lists refused dry-runs in Git order, whichever the server answered first', async () => {
    const refusal = (name: string) =>
      new KubeApiError(422, { reason: 'Invalid', message: `${name} is invalid` }, 'https://127.0.0.1:6443', {
        verb: 'dry-run apply',
        subject: `ConfigMap/shop/${name}`,
      });
    // The first object's refusal arrives last.
    class SlowFirst extends StandIn {
      override async apply(object: KubeObject, ref: ObjectRef): Promise<KubeObject> {
        if (ref.name === 'a') await new Promise((resolve) => setTimeout(resolve, 50));
        return super.apply(object, ref);
      }
    }
    const cluster = new SlowFirst([], (ref) => refusal(ref.name));
    const result = await plan([wanted(cm('a', {}), 1), wanted(cm('b', {}), 2)], cluster, options());
    assert.deepEqual(cluster.dryRuns, ['ConfigMap/shop/b', 'ConfigMap/shop/a']);
    assert.deepEqual(
      result.changeSet.errors.map((e) => e.object),
      ['ConfigMap/shop/a', 'ConfigMap/shop/b'],
    );
  });

  it('auto mode: a forbidden dry-run falls back to client mode, with one warning for the run', async () => {
    const forbidden = (ref: ObjectRef) =>
      new KubeApiError(403, { reason: 'Forbidden', message: 'forbidden' }, 'https://127.0.0.1:6443', {
        verb: 'dry-run apply',
        subject: subjectOf(ref),
      });
    const warnings: string[] = [];
    const result = await plan(
      [wanted(cm('a', {}), 1), wanted(cm('b', {}), 2), wanted(cm('c', {}), 3)],
      new StandIn([], forbidden),
      options({ diffMode: 'auto', onWarning: (w) => warnings.push(w) }),
    );
    assert.deepEqual(
      result.changeSet.entries.map((e) => [e.action, e.diffMode]),
      [
        ['created', 'client'],
        ['created', 'client'],
        ['created', 'client'],
      ],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^dry-run is forbidden .*; diffing in client mode/);
  });

  it('stops when the server is unreachable, once what is in flight has finished', async () => {
    const gone = new KubeConnectionError(
      'https://127.0.0.1:6443',
      { verb: 'dry-run apply', subject: 'ConfigMap/shop/c1' },
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    );
    const cluster = new StandIn([], (ref) => (ref.name === 'c1' ? gone : undefined));
    const desired = [0, 1, 2, 3, 4, 5].map((i) => wanted(cm(`c${i}`, {}), i + 1));
    await assert.rejects(plan(desired, cluster, options({ concurrency: 1 })), KubeConnectionError);
    assert.deepEqual(cluster.dryRuns, ['ConfigMap/shop/c0', 'ConfigMap/shop/c1']);
  });

  it('a Secret value seen in Git, live, or among deletions is registered, and errors are redacted', async () => {
    const secret = (name: string, value: string, extra = {}): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'shop', ...extra },
      stringData: { token: value },
    });
    const live = [{ ...secret('old', 'value-of-old-secret', { labels: OWNER, resourceVersion: '4' }) }];
    const redactor = new Redactor();
    await plan(
      [wanted(secret('git', 'value-from-git'), 1)],
      new StandIn(live),
      options({ redactor, inventory: live.map(refOf) }),
    );
    assert.equal(redactor.redact('a value-from-git and value-of-old-secret'), 'a *** and ***');
  });
});
