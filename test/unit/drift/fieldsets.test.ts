import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  attributeChanges,
  attributeField,
  fieldPointers,
  fieldsToRemove,
  isKnownController,
  isManualManager,
  removePointers,
} from '../../../src/drift/fieldsets.ts';
import type { FieldsV1, KubeObject, ManagedFieldsEntry } from '../../../src/model.ts';
import { fixture, valueAt } from './helpers.ts';

const live = fixture('deployment-live.yaml');
const desired = fixture('deployment-desired.yaml');
const entry = (manager: string): ManagedFieldsEntry =>
  live.metadata.managedFields!.find((e) => e.manager === manager)!;

test('fieldPointers resolves f:, k: and leaves against the object', () => {
  assert.deepEqual(fieldPointers(live, entry('kubectl-scale').fieldsV1!), ['/spec/replicas']);
  assert.deepEqual(fieldPointers(live, entry('kubectl-set').fieldsV1!), [
    '/spec/template/spec/containers/0/env/0/name',
    '/spec/template/spec/containers/0/env/0/value',
  ]);
  assert.deepEqual(fieldPointers(live, entry('kubectl-patch').fieldsV1!), [
    '/spec/template/spec/containers/1/image',
    '/spec/template/spec/containers/1/imagePullPolicy',
    '/spec/template/spec/containers/1/name',
    '/spec/template/spec/containers/1/resources',
    '/spec/template/spec/containers/1/terminationMessagePath',
    '/spec/template/spec/containers/1/terminationMessagePolicy',
  ]);
  // A `.`-only subtree is a leaf; keys with `/` are escaped; a multi-field key matches by value.
  assert.deepEqual(
    fieldPointers(live, {
      'f:metadata': { 'f:annotations': { 'f:deployment.kubernetes.io/revision': {} } },
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"main"}': {
                'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {} } },
              },
              'k:{"name":"gone"}': { 'f:image': {} },
            },
          },
        },
      },
    }),
    ['/metadata/annotations/deployment.kubernetes.io~1revision', '/spec/template/spec/containers/0/ports/0'],
  );
});

test('managers: the default take-over managers vs known controllers', () => {
  const table: [string, boolean, boolean][] = [
    ['kubectl', true, false],
    ['kubectl-edit', true, false],
    ['kubectl-client-side-apply', true, false],
    ['kubectl-rollout', true, false],
    ['before-first-apply', true, false],
    ['kube-drift', false, false],
    ['kube-controller-manager', false, true],
    ['helm-controller', false, true],
    ['argocd-application-controller', false, true],
    ['kubectl.exe-edit', true, false],
    ['helm', true, false],
    ['helmfile', false, false],
    ['my-app', false, false],
  ];
  for (const [manager, manual, controller] of table) {
    assert.equal(isManualManager(manager), manual, manager);
    assert.equal(isKnownController(manager), controller, manager);
  }
});

test('fieldsToRemove: hand-made label, annotation, env var and container; never controller fields', () => {
  assert.deepEqual(fieldsToRemove(live, desired), [
    '/metadata/labels/team',
    '/metadata/annotations/note',
    '/spec/template/spec/containers/0/env',
    '/spec/template/spec/containers/1',
  ]);
});

test('fieldsToRemove: a field Git sets is never removed, even if only kubectl owns it', () => {
  const withEnv = structuredClone(desired);
  (
    withEnv.spec as { template: { spec: { containers: { env?: unknown }[] } } }
  ).template.spec.containers[0].env = [{ name: 'DEBUG', value: '0' }];
  assert.deepEqual(fieldsToRemove(live, withEnv), [
    '/metadata/labels/team',
    '/metadata/annotations/note',
    '/spec/template/spec/containers/1',
  ]);
});

test('fieldsToRemove: only the env element Git does not set, when Git owns the list too', () => {
  const object = structuredClone(live);
  const containers = (object.spec as { template: { spec: { containers: { env?: unknown[] }[] } } }).template
    .spec.containers;
  containers[0].env = [
    { name: 'LOG', value: 'info' },
    { name: 'DEBUG', value: '1' },
  ];
  const driftApply = object.metadata.managedFields![0].fieldsV1 as FieldsV1;
  driftApply['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"main"}']['f:env'] = {
    'k:{"name":"LOG"}': { '.': {}, 'f:name': {}, 'f:value': {} },
  };
  const want = structuredClone(desired);
  (want.spec as { template: { spec: { containers: { env?: unknown }[] } } }).template.spec.containers[0].env =
    [{ name: 'LOG', value: 'info' }];
  assert.deepEqual(fieldsToRemove(object, want).slice(2), [
    '/spec/template/spec/containers/0/env/1',
    '/spec/template/spec/containers/1',
  ]);
});

test('fieldsToRemove: a label removed from Git but still owned by kubectl Apply', () => {
  const object: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'web',
      labels: { app: 'web', old: 'x' },
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Apply',
          time: '2025-01-01T00:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {}, 'f:old': {} } } },
        },
      ],
    },
  };
  const git: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', labels: { app: 'web' } },
  };
  assert.deepEqual(fieldsToRemove(object, git), ['/metadata/labels/old']);
  // With no labels in Git at all, the whole map goes.
  assert.deepEqual(fieldsToRemove(object, { ...git, metadata: { name: 'web' } }), ['/metadata/labels']);
  // Co-owned by kube-drift: not removable.
  const shared = structuredClone(object);
  shared.metadata.managedFields!.push({
    manager: 'kube-drift',
    operation: 'Apply',
    fieldsV1: { 'f:metadata': { 'f:labels': { 'f:old': {} } } },
  });
  assert.deepEqual(fieldsToRemove(shared, git), []);
  // A custom manual predicate.
  assert.deepEqual(
    fieldsToRemove(object, git, (m) => m === 'nobody'),
    [],
  );
});

test('fieldsToRemove: a client-side applied object reports what last-applied holds, not server defaults', () => {
  const configMap = fixture('configmap-client-side-applied.yaml');
  const git: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'shop', labels: { app: 'web' } },
    data: { mode: 'fast' },
  };
  assert.deepEqual(fieldsToRemove(configMap, git), ['/metadata/labels/tier', '/data/legacy']);
});

test('fieldsToRemove: nothing without managed fields', () => {
  const bare = structuredClone(live);
  delete bare.metadata.managedFields;
  assert.deepEqual(fieldsToRemove(bare, desired), []);
});

test('removePointers removes highest index first and leaves the input alone', () => {
  const object = { a: [0, 1, 2, 3], b: { 'x/y': 1, z: 2 } };
  assert.deepEqual(removePointers(object, ['/a/1', '/a/3', '/b/x~1y', '/missing/path', '/a/9']), {
    a: [0, 2],
    b: { z: 2 },
  });
  assert.deepEqual(object.a, [0, 1, 2, 3]);
  assert.deepEqual(removePointers(live, fieldsToRemove(live, desired)).metadata.labels, {
    app: 'web',
    'kube-drift.dev/name': 'shop',
    'kube-drift.dev/owner': 'kube-drift',
  });
});

/** Every pointer to a value inside a JSON document. */
function allPointers(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const pointer = `${prefix}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    out.push(pointer, ...allPointers(child, pointer));
  }
  return out;
}

test('property: removePointers leaves none of the removed object keys behind', () => {
  const noArrays = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.integer(),
      fc.dictionary(fc.string({ maxLength: 3 }), tie('node'), { maxKeys: 4 }),
    ),
  })).node;
  fc.assert(
    fc.property(noArrays, fc.infiniteStream(fc.boolean()), (document, picks) => {
      const pointers = allPointers(document).filter(() => picks.next().value);
      const result = removePointers(document, pointers);
      for (const pointer of pointers) assert.equal(valueAt(result, pointer), undefined, pointer);
    }),
  );
});

test('property: removePointers on arrays removes exactly the chosen elements', () => {
  fc.assert(
    fc.property(fc.array(fc.integer(), { maxLength: 20 }), fc.infiniteStream(fc.boolean()), (list, picks) => {
      const chosen = list.map(() => picks.next().value);
      const result = removePointers(
        { list },
        chosen.flatMap((c, i) => (c ? [`/list/${i}`] : [])),
      );
      assert.deepEqual(
        result.list,
        list.filter((_, i) => !chosen[i]),
      );
    }),
  );
});

test('attributeField: exact owner, latest writer, nearest owned ancestor, none', () => {
  const table: [string, string | null, Record<string, unknown>?][] = [
    [
      '/spec/replicas',
      'kubectl-scale',
      { subresource: 'scale', operation: 'Update', controller: false, time: '2025-03-02T08:00:00Z' },
    ],
    [
      '/metadata/annotations/deployment.kubernetes.io~1revision',
      'kube-controller-manager',
      { controller: true },
    ],
    ['/metadata/labels/team', 'kubectl-label'],
    ['/spec/template/spec/containers/0/env/0/value', 'kubectl-set'],
    ['/spec/template/spec/containers/0/env', 'kubectl-set'],
    ['/spec/template/spec/containers/1', 'kubectl-patch'],
    ['/spec/template/spec/containers/0/image', 'kube-drift', { operation: 'Apply' }],
    // Inside an atomic field Git owns as a leaf.
    ['/spec/selector/matchLabels/app', 'kube-drift'],
    ['/spec/template/spec/containers/0/ports/0/protocol', 'kube-drift'],
    // Server defaults under Apply belong to nobody.
    ['/spec/strategy/type', null],
    ['/spec/template/spec/restartPolicy', null],
  ];
  for (const [pointer, manager, more] of table) {
    const found = attributeField(live, pointer);
    if (manager === null) assert.equal(found, null, pointer);
    else {
      assert.equal(found?.manager, manager, pointer);
      for (const [key, value] of Object.entries(more ?? {}))
        assert.equal((found as unknown as Record<string, unknown>)[key], value, `${pointer} ${key}`);
    }
  }
  const bare = structuredClone(live);
  delete bare.metadata.managedFields;
  assert.equal(attributeField(bare, '/spec/replicas'), undefined);
});

test('attributeChanges: attributes changed and removed fields, not fields Git adds', () => {
  const changes = attributeChanges(live, [
    { path: '/spec/replicas', before: 5, after: 2 },
    { path: '/metadata/labels/team', before: 'payments' },
    { path: '/spec/paused', after: true },
    { path: '/spec/strategy/type', before: 'RollingUpdate', after: 'Recreate' },
  ]);
  assert.deepEqual(
    changes.map((c) => c.changedBy?.manager ?? c.changedBy),
    ['kubectl-scale', 'kubectl-label', undefined, null],
  );
  assert.equal('changedBy' in changes[2], false);
});
