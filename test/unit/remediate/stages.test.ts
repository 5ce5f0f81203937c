// Apply ordering, without a cluster: the plan's objects sorted as remediation sorts them, then
// grouped into Flux's stages (definitions, *Class kinds, the rest), each stage in apply order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareForApply } from '../../../src/drift/order.ts';
import { stagesOf } from '../../../src/remediate/apply.ts';
import { refOf } from './fixtures.ts';

const cases: { name: string; objects: [string, string][]; stages: [number, string[]][] }[] = [
  {
    name: 'definitions first, then classes, then the rest',
    objects: [
      ['Deployment', 'web'],
      ['StorageClass', 'fast'],
      ['Namespace', 'apps'],
      ['ConfigMap', 'settings'],
      ['CustomResourceDefinition', 'widgets.example.com'],
      ['Widget', 'w'],
      ['ClusterRole', 'reader'],
    ],
    stages: [
      [0, ['CustomResourceDefinition/widgets.example.com', 'Namespace/apps', 'ClusterRole/reader']],
      [1, ['StorageClass/fast']],
      [2, ['ConfigMap/settings', 'Deployment/web', 'Widget/w']],
    ],
  },
  {
    name: 'no definitions nor classes: one stage',
    objects: [
      ['Deployment', 'b'],
      ['ConfigMap', 'a'],
      ['Secret', 'a'],
    ],
    stages: [[2, ['ConfigMap/a', 'Secret/a', 'Deployment/b']]],
  },
  { name: 'nothing to apply: no stage', objects: [], stages: [] },
];

describe('apply stages', () => {
  for (const c of cases) {
    it(c.name, () => {
      const work = c.objects.map(([kind, name]) => ({ ref: refOf(kind, name) }));
      work.sort((a, b) => compareForApply(a.ref, b.ref));
      const stages = stagesOf(work).map(([stage, items]): [number, string[]] => [
        stage,
        items.map((w) => `${w.ref.kind}/${w.ref.name}`),
      ]);
      assert.deepEqual(stages, c.stages);
    });
  }
});
