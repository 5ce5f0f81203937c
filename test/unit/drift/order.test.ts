import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyRank, compareForApply, compareForDelete } from '../../../src/drift/order.ts';

const ref = (apiVersion: string, kind: string, name: string, namespace: string | null = null) => {
  const slash = apiVersion.indexOf('/');
  return { group: slash === -1 ? '' : apiVersion.slice(0, slash), kind, name, namespace };
};
const subject = (r: ReturnType<typeof ref>) => `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

const expected = [
  ref('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
  ref('v1', 'Namespace', 'shop'),
  ref('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader'),
  ref('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'reader'),
  ref('gateway.networking.k8s.io/v1', 'GatewayClass', 'envoy'),
  ref('scheduling.k8s.io/v1', 'PriorityClass', 'high'),
  ref('storage.k8s.io/v1', 'StorageClass', 'fast'),
  ref('v1', 'ResourceQuota', 'q', 'shop'),
  ref('v1', 'ServiceAccount', 'web', 'shop'),
  ref('rbac.authorization.k8s.io/v1', 'Role', 'web', 'shop'),
  ref('rbac.authorization.k8s.io/v1', 'RoleBinding', 'web', 'shop'),
  ref('v1', 'ConfigMap', 'a', 'shop'),
  ref('v1', 'ConfigMap', 'b', 'shop'),
  ref('v1', 'Secret', 'web', 'shop'),
  ref('v1', 'Service', 'web', 'shop'),
  ref('apps/v1', 'Deployment', 'web', 'other'),
  ref('apps/v1', 'Deployment', 'web', 'shop'),
  ref('batch/v1', 'CronJob', 'nightly', 'shop'),
  ref('autoscaling/v2', 'HorizontalPodAutoscaler', 'web', 'shop'),
  ref('networking.k8s.io/v1', 'Ingress', 'web', 'shop'),
  ref('example.com/v1', 'Service', 'custom', 'shop'),
  ref('example.com/v1', 'Widget', 'w', 'shop'),
  ref('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'policy'),
];

test('compareForApply: definitions, classes, foundations, workloads, other, custom resources, webhooks', () => {
  const shuffled = [...expected].reverse();
  shuffled.push(shuffled.shift()!);
  assert.deepEqual(shuffled.sort(compareForApply).map(subject), expected.map(subject));
});

test('compareForDelete is the reverse of apply order', () => {
  assert.deepEqual([...expected].sort(compareForDelete).map(subject), [...expected].reverse().map(subject));
});

test('applyRank: a custom kind that shares a built-in name is a custom resource', () => {
  assert.ok(
    applyRank({ group: 'example.com', kind: 'Service' }) > applyRank({ group: 'apps', kind: 'Deployment' }),
  );
  assert.ok(
    applyRank({ group: 'example.com', kind: 'Namespace' }) > applyRank({ group: '', kind: 'Namespace' }),
  );
  assert.ok(
    applyRank({ group: '', kind: 'Namespace' }) >
      applyRank({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }),
  );
  assert.equal(
    applyRank({ group: 'networking.k8s.io', kind: 'IngressClass' }),
    applyRank({ group: 'example.com', kind: 'FooClass' }),
  );
});

test('applyRank: each kind in its stage, stages in Flux order', () => {
  // [group, kind, stage]: 0 definitions, 1 classes, 2 foundations, 3 workloads, 4 other built-in, 5 custom, 6 admission.
  const table: [string, string, number][] = [
    ['apiextensions.k8s.io', 'CustomResourceDefinition', 0],
    ['', 'Namespace', 0],
    ['rbac.authorization.k8s.io', 'ClusterRoleBinding', 0],
    ['storage.k8s.io', 'StorageClass', 1],
    ['networking.k8s.io', 'IngressClass', 1],
    ['example.com', 'FooClass', 1],
    ['', 'ResourceQuota', 2],
    ['', 'ServiceAccount', 2],
    ['', 'Secret', 2],
    ['networking.k8s.io', 'NetworkPolicy', 2],
    ['apps', 'Deployment', 3],
    ['batch', 'Job', 3],
    ['autoscaling', 'HorizontalPodAutoscaler', 3],
    ['networking.k8s.io', 'Ingress', 4],
    ['discovery.k8s.io', 'EndpointSlice', 4],
    ['example.com', 'Widget', 5],
    ['example.com', 'Deployment', 5],
    ['admissionregistration.k8s.io', 'MutatingWebhookConfiguration', 6],
    ['apiregistration.k8s.io', 'APIService', 6],
  ];
  const stages = [...new Set(table.map(([group, kind]) => Math.floor(applyRank({ group, kind }) / 100)))];
  assert.deepEqual(stages, [0, 1, 2, 3, 4, 5, 6], 'the stages, in order');
  for (const [group, kind, stage] of table) {
    assert.equal(Math.floor(applyRank({ group, kind }) / 100), stage, `${group}/${kind}`);
  }
});
