// Resolving desired objects against what the server serves, without a cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type KindLookup, resolveDesired } from '../../../src/drift/resolve.ts';
import type { ResourceInfo } from '../../../src/kube/discovery.ts';
import type { DesiredObject, KubeObject } from '../../../src/model.ts';

const served: ResourceInfo[] = [
  {
    group: '',
    kind: 'ConfigMap',
    resource: 'configmaps',
    namespaced: true,
    versions: ['v1'],
    verbs: ['list'],
  },
  {
    group: '',
    kind: 'Namespace',
    resource: 'namespaces',
    namespaced: false,
    versions: ['v1'],
    verbs: ['list'],
  },
  {
    group: 'autoscaling',
    kind: 'HorizontalPodAutoscaler',
    resource: 'horizontalpodautoscalers',
    namespaced: true,
    versions: ['v2', 'v1'],
    verbs: ['list'],
  },
  {
    group: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    resource: 'clusterroles',
    namespaced: false,
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
const kindOf: KindLookup = (ref) => served.find((i) => i.group === ref.group && i.kind === ref.kind);

function desired(
  object: Omit<KubeObject, 'metadata'> & { metadata: Partial<KubeObject['metadata']> },
  line = 1,
) {
  return {
    object: { ...object, metadata: { name: 'x', ...object.metadata } },
    source: { file: 'app.yaml', line },
  } as DesiredObject;
}

const crd = desired({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: { group: 'example.com', names: { kind: 'Widget' } },
});
const options = { target: 'shop', defaultNamespace: 'default' };

interface Row {
  name: string;
  input: DesiredObject[];
  subjects: string[];
  errors?: RegExp[];
  namespaces?: (string | undefined)[];
  pending?: string[];
}

const rows: Row[] = [
  {
    name: 'a namespaced object without a namespace gets the default one',
    input: [desired({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })],
    subjects: ['ConfigMap/default/x'],
    namespaces: ['default'],
  },
  {
    name: 'a cluster-wide object loses the namespace it names',
    input: [desired({ apiVersion: 'v1', kind: 'Namespace', metadata: { namespace: 'oops' } })],
    subjects: ['Namespace/x'],
    namespaces: [undefined],
  },
  {
    name: 'an unknown kind is an error naming the object, file and line, and what to do',
    input: [desired({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { namespace: 'shop' } }, 7)],
    subjects: [],
    errors: [
      /^unknown kind example\.com\/v1 Gadget for Gadget\/shop\/x \(app\.yaml:7\).*Install its CustomResourceDefinition/,
    ],
  },
  {
    name: 'a version the server does not serve names the ones it does',
    input: [desired({ apiVersion: 'autoscaling/v2beta1', kind: 'HorizontalPodAutoscaler', metadata: {} }, 3)],
    subjects: [],
    errors: [
      /uses autoscaling\/v2beta1, which the server does not serve; it serves autoscaling\/v2, autoscaling\/v1\.$/,
    ],
  },
  {
    name: 'the same object twice is an error naming both places',
    input: [
      desired({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default' } }, 1),
      desired({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }, 9),
    ],
    subjects: ['ConfigMap/default/x'],
    errors: [/^ConfigMap\/default\/x is defined twice: app\.yaml:1 and app\.yaml:9$/],
  },
  {
    name: 'a custom resource whose CRD is in the same change waits for its kind',
    input: [crd, desired({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: {} })],
    subjects: ['CustomResourceDefinition/widgets.example.com', 'Widget/default/x'],
    pending: ['Widget/default/x'],
  },
];

describe('resolveDesired', () => {
  for (const row of rows) {
    it(row.name, () => {
      const before = structuredClone(row.input);
      const { planned, errors } = resolveDesired(row.input, kindOf, options);
      const subject = (p: (typeof planned)[number]) =>
        `${p.ref.kind}/${p.ref.namespace ? `${p.ref.namespace}/` : ''}${p.ref.name}`;
      assert.deepEqual(planned.map(subject), row.subjects);
      assert.equal(errors.length, row.errors?.length ?? 0, errors.map((e) => e.message).join('\n'));
      for (const [i, pattern] of (row.errors ?? []).entries()) assert.match(errors[i].message, pattern);
      if (row.namespaces)
        assert.deepEqual(
          planned.map((p) => p.applyObject.metadata.namespace),
          row.namespaces,
        );
      assert.deepEqual(planned.filter((p) => p.kindPending).map(subject), row.pending ?? []);
      assert.deepEqual(row.input, before, 'the desired objects are left as they were');
    });
  }

  it('adds the owner labels, keeps report-only groups, and finds namespaces Git creates', () => {
    const object = desired({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { labels: { app: 'web' } } });
    const namespace = desired({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'new' } });
    const { planned, newNamespaces } = resolveDesired(
      [{ ...object, group: 'HelmRelease shop/web' }, namespace],
      kindOf,
      { ...options, reportOnlyGroups: new Map([['HelmRelease shop/web', 'drift detection: warn']]) },
    );
    assert.deepEqual(planned[0].applyObject.metadata.labels, {
      app: 'web',
      'kube-drift.dev/owner': 'kube-drift',
      'kube-drift.dev/name': 'shop',
    });
    assert.equal(planned[0].reportOnly, 'drift detection: warn');
    assert.equal(planned[1].reportOnly, undefined);
    assert.deepEqual([...newNamespaces], ['new']);
    assert.deepEqual(
      planned.map((p) => [p.entry.action, p.entry.source]),
      [
        ['unchanged', { file: 'app.yaml', line: 1 }],
        ['unchanged', { file: 'app.yaml', line: 1 }],
      ],
    );
  });

  it("leaves out an aggregated ClusterRole's rules (the aggregation controller's), not a plain one's", () => {
    const rules = [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }];
    const role = (name: string, body: Record<string, unknown>) =>
      desired({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name },
        ...body,
      });
    const aggregationRule = { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate': 'true' } }] };
    const { planned } = resolveDesired(
      [
        role('empty', { aggregationRule, rules: [] }),
        role('with-rules', { aggregationRule, rules }),
        role('plain', { rules }),
      ],
      kindOf,
      options,
    );
    assert.deepEqual(
      planned.map((p) => [p.ref.name, p.applyObject.rules, p.applyObject.aggregationRule !== undefined]),
      [
        ['empty', undefined, true],
        ['with-rules', undefined, true],
        ['plain', rules, false],
      ],
    );
  });

  it("shares Git's object with the object to apply, frozen, so neither changes the other", () => {
    const item = desired({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { labels: { app: 'web' } },
      data: { key: 'value' },
    });
    const { planned } = resolveDesired([item], kindOf, options);
    const applyObject = planned[0].applyObject;
    // Not a copy: what resolving leaves alone is the same object.
    assert.equal(applyObject.data, item.object.data);
    assert.ok(Object.isFrozen(item.object.data) && Object.isFrozen(item.object.metadata.labels));
    // What resolving changes is the object to apply's own.
    assert.equal(applyObject.metadata.namespace, 'default');
    assert.equal(item.object.metadata.namespace, undefined);
    assert.deepEqual(item.object.metadata.labels, { app: 'web' });
    assert.throws(() => {
      (applyObject.data as Record<string, string>).key = 'changed';
    }, TypeError);
    assert.equal((item.object.data as Record<string, string>).key, 'value');
  });
});
