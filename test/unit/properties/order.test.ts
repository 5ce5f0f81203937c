// Properties of the apply order: compareForApply is a total order consistent with applyRank,
// and cluster-wide definitions (CRDs, Namespaces) come before every namespaced object.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { applyRank, compareForApply, compareForDelete } from '../../../src/drift/order.ts';

const kinds: [string, string][] = [
  ['apiextensions.k8s.io', 'CustomResourceDefinition'],
  ['', 'Namespace'],
  ['rbac.authorization.k8s.io', 'ClusterRole'],
  ['storage.k8s.io', 'StorageClass'],
  ['', 'ServiceAccount'],
  ['', 'ConfigMap'],
  ['', 'Secret'],
  ['', 'Service'],
  ['apps', 'Deployment'],
  ['batch', 'CronJob'],
  ['networking.k8s.io', 'Ingress'],
  ['example.com', 'Widget'],
  ['example.com', 'WidgetClass'],
  ['admissionregistration.k8s.io', 'ValidatingWebhookConfiguration'],
];
const ref = fc
  .record({
    kind: fc.constantFrom(...kinds),
    namespace: fc.option(fc.constantFrom('a', 'b', 'kube-system'), { nil: null }),
    name: fc.constantFrom('x', 'y', 'z', ''),
  })
  .map(({ kind: [group, kind], namespace, name }) => ({ group, kind, namespace, name }));

/** -1, 0 or 1 (never -0, which strict equality tells from 0). */
const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

test('property: compareForApply is a total order (antisymmetric, transitive, total)', () => {
  fc.assert(
    fc.property(ref, ref, ref, (a, b, c) => {
      assert.equal(sign(compareForApply(a, b)), sign(compareForApply(b, a)) * -1 || 0);
      assert.equal(compareForApply(a, a), 0);
      if (compareForApply(a, b) === 0) assert.deepEqual(a, b, 'only equal refs compare equal');
      if (compareForApply(a, b) <= 0 && compareForApply(b, c) <= 0) assert.ok(compareForApply(a, c) <= 0);
      assert.equal(sign(compareForDelete(a, b)), sign(compareForApply(b, a)));
    }),
  );
});

test('property: compareForApply is consistent with applyRank', () => {
  fc.assert(
    fc.property(ref, ref, (a, b) => {
      if (applyRank(a) < applyRank(b)) assert.ok(compareForApply(a, b) < 0);
      if (compareForApply(a, b) < 0) assert.ok(applyRank(a) <= applyRank(b));
    }),
  );
});

test('property: sorting puts CRDs and Namespaces before everything namespaced, whatever the input order', () => {
  fc.assert(
    fc.property(fc.array(ref, { maxLength: 30 }), (refs) => {
      const sorted = [...refs].sort(compareForApply);
      const firstNamespaced = sorted.findIndex(
        (r) => r.namespace !== null && r.kind !== 'Namespace' && r.kind !== 'CustomResourceDefinition',
      );
      const lastDefinition = sorted.findLastIndex(
        (r) => r.kind === 'Namespace' || r.kind === 'CustomResourceDefinition',
      );
      if (firstNamespaced !== -1 && lastDefinition !== -1) assert.ok(lastDefinition < firstNamespaced);
      assert.deepEqual(
        [...refs].reverse().sort(compareForApply),
        sorted,
        'the order does not depend on input order',
      );
    }),
  );
});
