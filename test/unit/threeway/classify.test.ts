// Three-way classing: every changed field is the PR's, drift already in the cluster, or both,
// judged from the base and head manifests at the field's pointer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Plan, PlannedObject } from '../../../src/drift/plan.ts';
import { classifyChanges, type FailOn, failsOn } from '../../../src/drift/threeway.ts';
import type {
  Attribution,
  ChangeSetEntry,
  DesiredObject,
  FieldChange,
  KubeObject,
} from '../../../src/model.ts';
import { refOf } from '../../../src/model.ts';

const NS = 'apps';

function deployment(
  spec: {
    image?: string;
    replicas?: number;
    env?: Record<string, string>;
    cpu?: string;
    containers?: unknown[];
  },
  labels?: Record<string, string>,
): KubeObject {
  const container: Record<string, unknown> = { name: 'app', image: spec.image ?? 'app:1.0' };
  if (spec.env) container.env = Object.entries(spec.env).map(([name, value]) => ({ name, value }));
  if (spec.cpu) container.resources = { limits: { cpu: spec.cpu } };
  const object: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', ...(labels ? { labels } : {}) },
    spec: { template: { spec: { containers: spec.containers ?? [container] } } },
  };
  if (spec.replicas !== undefined) (object.spec as Record<string, unknown>).replicas = spec.replicas;
  return object;
}

function live(object: KubeObject): KubeObject {
  return {
    ...structuredClone(object),
    metadata: { ...structuredClone(object.metadata), namespace: NS, resourceVersion: '7' },
  };
}

function desired(object: KubeObject, file = 'apps/web.yaml'): DesiredObject {
  return { object, source: { file, line: 1 } };
}

function planned(head: KubeObject, liveObject: KubeObject | null, changes: FieldChange[]): PlannedObject {
  const ref = refOf(head);
  ref.namespace = ref.namespace ?? NS;
  const entry: ChangeSetEntry = {
    ref,
    action: changes.length > 0 ? 'configured' : liveObject ? 'unchanged' : 'created',
    changes,
    diff: '',
  };
  return { desired: desired(head), ref, entry, applyObject: head, live: liveObject, manualFields: [] };
}

function planOf(objects: PlannedObject[], deletions: Plan['deletions'] = []): Plan {
  return {
    changeSet: {
      target: 't',
      entries: [...objects.map((o) => o.entry), ...deletions.map((d) => d.entry)],
      errors: [],
    },
    objects,
    deletions,
  };
}

const byHand = (manager: string): Attribution => ({ manager, operation: 'Update', controller: false });
const applied: Attribution = { manager: 'kubectl', operation: 'Apply', controller: false };
const containers = '/spec/template/spec/containers';

interface Case {
  name: string;
  base: KubeObject | null;
  head: KubeObject;
  live: KubeObject;
  change: FieldChange;
  want: 'pr' | 'drift' | 'both';
}

const cases: Case[] = [
  {
    name: 'an image tag the PR changes, live as base → pr',
    base: deployment({ image: 'app:1.0' }),
    head: deployment({ image: 'app:1.1' }),
    live: live(deployment({ image: 'app:1.0' })),
    change: { path: `${containers}/0/image`, before: 'app:1.0', after: 'app:1.1', changedBy: applied },
    want: 'pr',
  },
  {
    name: 'a replica count scaled by hand, same in base and head → drift',
    base: deployment({ replicas: 2 }),
    head: deployment({ replicas: 2 }),
    live: live(deployment({ replicas: 5 })),
    change: {
      path: '/spec/replicas',
      before: 5,
      after: 2,
      changedBy: { ...byHand('kubectl'), subresource: 'scale' },
    },
    want: 'drift',
  },
  {
    name: 'a label added by hand that neither manifest sets → drift',
    base: deployment({}),
    head: deployment({}),
    live: live(deployment({}, { hotfix: 'true' })),
    change: { path: '/metadata/labels/hotfix', before: 'true', changedBy: byHand('kubectl-label') },
    want: 'drift',
  },
  {
    name: 'an env value edited by hand and changed by the PR → both',
    base: deployment({ env: { MODE: 'normal' } }),
    head: deployment({ env: { MODE: 'fast' } }),
    live: live(deployment({ env: { MODE: 'debug' } })),
    change: {
      path: `${containers}/0/env/0/value`,
      before: 'debug',
      after: 'fast',
      changedBy: byHand('kubectl-set'),
    },
    want: 'both',
  },
  {
    name: 'a live value in canonical form, last written by an apply → pr',
    base: deployment({ cpu: '0.5' }),
    head: deployment({ cpu: '1' }),
    live: live(deployment({ cpu: '500m' })),
    change: { path: `${containers}/0/resources/limits/cpu`, before: '500m', after: '1', changedBy: applied },
    want: 'pr',
  },
  {
    name: 'a field head sets for the first time over a server default nobody owns → pr',
    base: deployment({}),
    head: deployment({ replicas: 3 }),
    live: live(deployment({ replicas: 1 })),
    change: { path: '/spec/replicas', before: 1, after: 3, changedBy: null },
    want: 'pr',
  },
  {
    name: 'a field head sets for the first time over a hand-set value → both',
    base: deployment({}),
    head: deployment({ replicas: 3 }),
    live: live(deployment({ replicas: 6 })),
    change: { path: '/spec/replicas', before: 6, after: 3, changedBy: byHand('kubectl-edit') },
    want: 'both',
  },
  {
    name: 'values differ and nothing is known of managers → both',
    base: deployment({ image: 'app:1.0' }),
    head: deployment({ image: 'app:1.1' }),
    live: live(deployment({ image: 'app:0.9' })),
    change: { path: `${containers}/0/image`, before: 'app:0.9', after: 'app:1.1' },
    want: 'both',
  },
  {
    name: 'containers listed in another order in the manifests are matched by name → pr',
    base: deployment({
      containers: [
        { name: 'sidecar', image: 'proxy:1' },
        { name: 'app', image: 'app:1.0' },
      ],
    }),
    head: deployment({
      containers: [
        { name: 'sidecar', image: 'proxy:1' },
        { name: 'app', image: 'app:2.0' },
      ],
    }),
    live: live(
      deployment({
        containers: [
          { name: 'app', image: 'app:1.0' },
          { name: 'sidecar', image: 'proxy:1' },
        ],
      }),
    ),
    change: { path: `${containers}/0/image`, before: 'app:1.0', after: 'app:2.0', changedBy: applied },
    want: 'pr',
  },
  {
    name: 'an env var the PR adds, past the end of the live list → pr',
    base: deployment({ env: { MODE: 'normal' } }),
    head: deployment({ env: { MODE: 'normal', LEVEL: 'info' } }),
    live: live(deployment({ env: { MODE: 'normal' } })),
    change: { path: `${containers}/0/env/1`, after: { name: 'LEVEL', value: 'info' } },
    want: 'pr',
  },
  {
    name: 'an env var added by hand that neither manifest has → drift',
    base: deployment({ env: { MODE: 'normal' } }),
    head: deployment({ env: { MODE: 'normal' } }),
    live: live(deployment({ env: { MODE: 'normal', DEBUG: '1' } })),
    change: {
      path: `${containers}/0/env/1`,
      before: { name: 'DEBUG', value: '1' },
      changedBy: byHand('kubectl-set'),
    },
    want: 'drift',
  },
  {
    name: 'an env var the PR removes → pr',
    base: deployment({ env: { MODE: 'normal', OLD: 'x' } }),
    head: deployment({ env: { MODE: 'normal' } }),
    live: live(deployment({ env: { MODE: 'normal', OLD: 'x' } })),
    change: { path: `${containers}/0/env/1`, before: { name: 'OLD', value: 'x' }, changedBy: applied },
    want: 'pr',
  },
  {
    name: 'an object the PR adds, already present by hand: fields head sets over hand values → both',
    base: null,
    head: deployment({ image: 'app:1.1' }),
    live: live(deployment({ image: 'app:1.0' })),
    change: {
      path: `${containers}/0/image`,
      before: 'app:1.0',
      after: 'app:1.1',
      changedBy: byHand('kubectl-create'),
    },
    want: 'both',
  },
];

describe('classifyChanges', () => {
  for (const c of cases) {
    it(c.name, () => {
      const p = planned(c.head, c.live, [c.change]);
      const set = classifyChanges(planOf([p]), c.base ? [desired(c.base)] : [], { defaultNamespace: NS });
      assert.equal(set.entries[0].changes[0].class, c.want);
      assert.equal(set.entries[0].changes[0].path, c.change.path);
      assert.equal(p.entry.changes[0].class, undefined, 'the plan is left as it was');
    });
  }

  it('matches base objects that name no namespace with the planned ones in the default namespace', () => {
    const base = deployment({ replicas: 2 });
    const head = { ...deployment({ replicas: 2 }), metadata: { name: 'web', namespace: NS } };
    const p = planned(head, live(deployment({ replicas: 4 })), [
      { path: '/spec/replicas', before: 4, after: 2 },
    ]);
    const set = classifyChanges(planOf([p]), [desired(base)], { defaultNamespace: NS });
    assert.equal(set.entries[0].prStatus, undefined);
    assert.equal(set.entries[0].changes[0].class, 'drift');
  });

  it('files what the server fills in or drops because of the PR under the PR, a hand edit under drift', () => {
    const service = (type: string, labels?: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', ...(labels ? { labels } : {}) },
      spec: { type, ports: [{ name: 'http', port: 80 }] },
    });
    const changes: FieldChange[] = [
      { path: '/spec/type', before: 'ClusterIP', after: 'LoadBalancer', changedBy: applied },
      { path: '/spec/ports/0/nodePort', after: 31234 },
      { path: '/spec/externalTrafficPolicy', after: 'Cluster' },
      { path: '/metadata/labels/hotfix', before: 'true', changedBy: byHand('kubectl-label') },
    ];
    const p = planned(service('LoadBalancer'), live(service('ClusterIP', { hotfix: 'true' })), changes);
    const set = classifyChanges(planOf([p]), [desired(service('ClusterIP'))], { defaultNamespace: NS });
    assert.deepEqual(
      set.entries[0].changes.map((c) => `${c.path} ${c.class}`),
      [
        '/spec/type pr',
        '/spec/ports/0/nodePort pr',
        '/spec/externalTrafficPolicy pr',
        '/metadata/labels/hotfix drift',
      ],
    );

    // Without a change of the PR's own, the same filled-in field is drift the merge would revert.
    const alone = planned(service('ClusterIP'), live(service('ClusterIP')), [changes[1]]);
    const drift = classifyChanges(planOf([alone]), [desired(service('ClusterIP'))], { defaultNamespace: NS });
    assert.equal(drift.entries[0].changes[0].class, 'drift');
  });

  it('compares Secret stringData in the manifests with data in the cluster', () => {
    const secret = (value: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { token: value },
    });
    const liveSecret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: NS },
      data: { token: Buffer.from('old').toString('base64') },
    };
    const p = planned(secret('new'), liveSecret, [
      { path: '/data/token', before: '***', after: '***', changedBy: applied },
    ]);
    const set = classifyChanges(planOf([p]), [desired(secret('old'))], { defaultNamespace: NS });
    assert.equal(set.entries[0].changes[0].class, 'pr');
  });

  it('marks objects only head has as added, and planned deletions base has as removed', () => {
    const added = planned(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'new' }, data: { a: 'b' } },
      null,
      [],
    );
    const kept = planned(deployment({}), live(deployment({})), []);
    const gone = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'gone', namespace: NS },
    } as KubeObject;
    const stray = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'stray', namespace: NS },
    } as KubeObject;
    const deletion = (object: KubeObject) => {
      const ref = refOf(object);
      return {
        ref,
        live: object,
        origin: 'inventory' as const,
        entry: { ref, action: 'deleted' as const, changes: [], diff: '' },
      };
    };
    const set = classifyChanges(
      planOf([added, kept], [deletion(gone), deletion(stray)]),
      [desired(deployment({})), desired({ ...gone, metadata: { name: 'gone' } })],
      {
        defaultNamespace: NS,
      },
    );
    assert.deepEqual(
      set.entries.map((e) => [e.ref.name, e.action, e.prStatus]),
      [
        ['new', 'created', 'added'],
        ['web', 'unchanged', undefined],
        ['gone', 'deleted', 'removed'],
        ['stray', 'deleted', undefined],
      ],
    );
  });

  it('classes thousands of objects quickly enough for a big repository (maps by identity)', () => {
    const objects: PlannedObject[] = [];
    const base: DesiredObject[] = [];
    for (let i = 0; i < 5000; i++) {
      const head = { ...deployment({ image: `app:${i}.1` }), metadata: { name: `web-${i}` } };
      objects.push(
        planned(head, live({ ...deployment({ image: `app:${i}.0` }), metadata: { name: `web-${i}` } }), [
          { path: `${containers}/0/image`, before: `app:${i}.0`, after: `app:${i}.1`, changedBy: applied },
        ]),
      );
      base.push(desired({ ...deployment({ image: `app:${i}.0` }), metadata: { name: `web-${i}` } }));
    }
    const set = classifyChanges(planOf(objects), base, { defaultNamespace: NS });
    assert.ok(set.entries.every((e) => e.changes[0].class === 'pr' && e.prStatus === undefined));
  });
});

describe('failsOn', () => {
  const entry = (
    action: ChangeSetEntry['action'],
    classes: Array<FieldChange['class']>,
    prStatus?: 'added' | 'removed',
  ) => ({
    action,
    prStatus,
    changes: classes.map((c) => ({ path: '/x', class: c })),
  });
  const table: Array<[string, ReturnType<typeof entry>[], Record<FailOn, boolean>]> = [
    ['only PR changes', [entry('configured', ['pr'])], { any: true, pr: true, drift: false }],
    ['only drift', [entry('configured', ['drift'])], { any: true, pr: false, drift: true }],
    ['a field both changed', [entry('configured', ['both'])], { any: true, pr: true, drift: true }],
    ['an object the PR adds', [entry('created', [], 'added')], { any: true, pr: true, drift: false }],
    [
      'an object deleted by hand (created again)',
      [entry('created', [])],
      { any: true, pr: false, drift: true },
    ],
    ['an object the PR removes', [entry('deleted', [], 'removed')], { any: true, pr: true, drift: false }],
    ['in sync', [entry('unchanged', []), entry('skipped', [])], { any: false, pr: false, drift: false }],
    [
      'changes without a class (three-way off)',
      [entry('configured', [undefined])],
      { any: true, pr: true, drift: true },
    ],
  ];
  for (const [name, entries, want] of table) {
    for (const failOn of ['any', 'pr', 'drift'] as const) {
      it(`${name}: fail-on ${failOn} → ${want[failOn] ? 'fails' : 'passes'}`, () => {
        assert.equal(failsOn(entries, failOn), want[failOn]);
      });
    }
  }
});
