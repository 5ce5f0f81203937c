import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/model.ts';
import { deletion, lines, obj, review } from './support.ts';

const crd = obj('CustomResourceDefinition', 'widgets.example.com', {
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { kind: 'Widget', plural: 'widgets' },
    versions: [{ name: 'v1', served: true, storage: true }],
  },
});
const widgets = (n: number) =>
  Array.from({ length: n }, (_, i) => obj('Widget', `w${i}`, {}, i % 2 ? 'a' : 'b'));
const sts = (policy?: string): KubeObject =>
  obj('StatefulSet', 'db', {
    spec: {
      volumeClaimTemplates: [{ metadata: { name: 'data' } }],
      ...(policy ? { persistentVolumeClaimRetentionPolicy: { whenDeleted: policy } } : {}),
    },
    status: { replicas: 2 },
  });
const claims = [
  obj('PersistentVolumeClaim', 'data-db-0'),
  obj('PersistentVolumeClaim', 'data-db-1'),
  obj('PersistentVolumeClaim', 'data-other-0'),
];

describe('delete-stateful', () => {
  const cases: {
    name: string;
    deletions: KubeObject[];
    live?: KubeObject[];
    prune?: boolean;
    flux?: boolean;
    want: string[];
  }[] = [
    {
      name: 'a CRD with no custom resources: a warning',
      deletions: [crd],
      want: [
        'delete-stateful warning CustomResourceDefinition/widgets.example.com: prune deletes this CustomResourceDefinition; no Widget objects exist now',
      ],
    },
    {
      name: 'a CRD with three custom resources: danger, and says three',
      deletions: [crd],
      live: widgets(3),
      want: [
        'delete-stateful danger CustomResourceDefinition/widgets.example.com: prune deletes this CustomResourceDefinition and with it the 3 Widget objects in the cluster',
      ],
    },
    {
      name: 'a Namespace with objects people made (default ServiceAccount, root CA and owned Pods not counted)',
      deletions: [obj('Namespace', 'team')],
      live: [
        obj('ConfigMap', 'a', {}, 'team'),
        obj('ConfigMap', 'kube-root-ca.crt', {}, 'team'),
        obj('Deployment', 'web', {}, 'team'),
        obj(
          'Pod',
          'web-1',
          { metadata: { ownerReferences: [{ kind: 'ReplicaSet', name: 'x', controller: true }] } },
          'team',
        ),
        obj('ConfigMap', 'elsewhere', {}, 'other'),
      ],
      want: [
        'delete-stateful danger Namespace/team: prune deletes this Namespace and the 2 objects in it (1 ConfigMap, 1 Deployment)',
      ],
    },
    {
      name: 'an empty Namespace, prune off: a warning that says prune is off',
      deletions: [obj('Namespace', 'team')],
      live: [obj('ConfigMap', 'kube-root-ca.crt', {}, 'team')],
      prune: false,
      want: [
        'delete-stateful warning Namespace/team: prune (off in this run) would delete this Namespace; it holds no objects now',
      ],
    },
    {
      name: 'a StatefulSet whose claims are kept: a warning naming them',
      deletions: [sts()],
      live: claims,
      want: [
        'delete-stateful warning StatefulSet/app/db: prune deletes this StatefulSet and its 2 Pods; its 2 PersistentVolumeClaims (data-db-0, data-db-1) are kept',
      ],
    },
    {
      name: 'a StatefulSet whose claims go with it: danger',
      deletions: [sts('Delete')],
      live: claims,
      want: [
        'delete-stateful danger StatefulSet/app/db: prune deletes this StatefulSet, its 2 Pods and its 2 PersistentVolumeClaims (data-db-0, data-db-1): whenDeleted is Delete',
      ],
    },
    {
      name: 'a PersistentVolumeClaim Flux would prune',
      deletions: [obj('PersistentVolumeClaim', 'data', { spec: { volumeName: 'pv-7' } })],
      flux: true,
      want: [
        "delete-stateful danger PersistentVolumeClaim/app/data: Flux prunes this PersistentVolumeClaim, and the data on PersistentVolume/pv-7 when the volume's reclaim policy is Delete",
      ],
    },
    { name: 'a ConfigMap: not stateful', deletions: [obj('ConfigMap', 'a')], want: [] },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const result = await review({
        deletions: c.deletions.map((d) => deletion(d, c.flux ? 'flux' : 'inventory')),
        live: c.live,
        prune: c.prune,
      });
      assert.deepEqual(lines(result, 'delete-stateful'), c.want);
      assert.deepEqual(result.unchecked, []);
    });

  it('says which rule could not count what, when the list is forbidden; never "no findings" by silence', async () => {
    const result = await review({
      deletions: [deletion(crd)],
      live: widgets(3),
      forbidden: ['example.com|Widget'],
    });
    assert.deepEqual(lines(result, 'delete-stateful'), [
      'delete-stateful danger CustomResourceDefinition/widgets.example.com: prune deletes this CustomResourceDefinition and every Widget object in the cluster (they could not be counted)',
    ]);
    assert.deepEqual(result.unchecked, [
      {
        rule: 'delete-stateful',
        reason:
          'could not list widgets.example.com cluster-wide: forbidden (grant list on it to the credentials kube-drift uses)',
      },
    ]);
  });

  it('a deletion the PR makes is its own; one that left Git before is drift', async () => {
    const result = await review({
      deletions: [deletion(crd, 'inventory', 'removed'), deletion(obj('Namespace', 'old'))],
      threeWay: true,
    });
    assert.deepEqual(
      result.findings.map((f) => `${f.subject} ${f.origin}`),
      ['CustomResourceDefinition/widgets.example.com pr', 'Namespace/old drift'],
    );
  });
});

describe('prune-over-limit', () => {
  const three = [obj('ConfigMap', 'a'), obj('ConfigMap', 'b'), obj('ConfigMap', 'c')].map((o) => deletion(o));
  const cases = [
    {
      name: 'more deletions than max-deletions',
      max: 2,
      prune: true,
      want: [
        'prune-over-limit warning target/t: prune would delete 3 objects, more than max-deletions (2): remediation refuses to prune any of them; raise max-deletions if this is intended',
      ],
    },
    { name: 'exactly max-deletions', max: 3, prune: true, want: [] },
    { name: 'prune off: remediation deletes nothing anyway', max: 2, prune: false, want: [] },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const result = await review({ deletions: three, maxDeletions: c.max, prune: c.prune });
      assert.deepEqual(lines(result, 'prune-over-limit'), c.want);
    });

  it("Flux's prunes do not count: kube-drift never makes them", async () => {
    const flux = [obj('ConfigMap', 'a'), obj('ConfigMap', 'b'), obj('ConfigMap', 'c')].map((o) =>
      deletion(o, 'flux'),
    );
    assert.deepEqual(lines(await review({ deletions: flux, maxDeletions: 2 }), 'prune-over-limit'), []);
  });
});
