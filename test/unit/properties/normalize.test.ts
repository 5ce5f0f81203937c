// Properties of normalizeForDiff on random Kubernetes-like objects: idempotent, and never
// carries status, managedFields or the server's bookkeeping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LAST_APPLIED_ANNOTATION, normalizeForDiff, OWNER_LABEL } from '../../../src/drift/normalize.ts';
import type { KubeObject } from '../../../src/model.ts';

const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).node;
const stringMap = fc.dictionary(
  fc.oneof(
    fc.string({ maxLength: 10 }),
    fc.constantFrom(OWNER_LABEL, 'kube-drift.dev/name', LAST_APPLIED_ANNOTATION),
  ),
  fc.string({ maxLength: 10 }),
  { maxKeys: 4 },
);

const kubeObject: fc.Arbitrary<KubeObject> = fc
  .record({
    apiVersion: fc.constantFrom('v1', 'apps/v1', 'example.com/v1'),
    kind: fc.constantFrom('ConfigMap', 'Deployment', 'Secret', 'Widget'),
    metadata: fc.record(
      {
        name: fc.string({ minLength: 1, maxLength: 8 }),
        namespace: fc.string({ maxLength: 8 }),
        labels: stringMap,
        annotations: stringMap,
        finalizers: fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
        resourceVersion: fc.string({ maxLength: 5 }),
        uid: fc.uuid(),
        generation: fc.integer(),
        creationTimestamp: fc.constant('2024-01-01T00:00:00Z'),
        managedFields: fc.array(
          fc.record({ manager: fc.string({ maxLength: 6 }), fieldsV1: fc.constant({}) }),
          {
            maxLength: 2,
          },
        ),
        ownerReferences: fc.array(fc.record({ uid: fc.uuid(), name: fc.string({ maxLength: 4 }) }), {
          maxLength: 1,
        }),
      },
      { requiredKeys: ['name'] },
    ),
    spec: json,
    data: json,
    status: json,
  })
  .map((o) => o as unknown as KubeObject);

test('property: normalizeForDiff is idempotent', () => {
  fc.assert(
    fc.property(kubeObject, (object) => {
      const once = normalizeForDiff(object);
      assert.deepEqual(normalizeForDiff(once), once);
    }),
  );
});

test('property: normalizeForDiff never keeps status, managedFields or server bookkeeping', () => {
  const dropped = [
    'managedFields',
    'resourceVersion',
    'uid',
    'generation',
    'creationTimestamp',
    'ownerReferences',
  ];
  fc.assert(
    fc.property(kubeObject, (object) => {
      const before = JSON.stringify(object);
      const normalized = normalizeForDiff(object);
      assert.equal('status' in normalized, false);
      for (const key of dropped) assert.equal(key in normalized.metadata, false, key);
      for (const map of [normalized.metadata.labels, normalized.metadata.annotations]) {
        if (map === undefined) continue;
        assert.ok(Object.keys(map).length > 0, 'empty maps are dropped');
        for (const key of Object.keys(map)) assert.ok(!key.startsWith('kube-drift.dev/'), key);
      }
      assert.equal(LAST_APPLIED_ANNOTATION in (normalized.metadata.annotations ?? {}), false);
      // What the user wrote survives, and the input is not changed.
      assert.deepEqual(normalized.spec, object.spec);
      assert.equal(JSON.stringify(object), before);
    }),
  );
});

test('normalizeForDiff keeps a __proto__ label or annotation key as a key (seed -2084874486)', () => {
  const labels = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
  const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels } } as KubeObject;
  const normalized = normalizeForDiff(object);
  assert.deepEqual(Object.keys(normalized.metadata.labels ?? {}), ['__proto__']);
  assert.deepEqual(normalizeForDiff(normalized), normalized);
});
