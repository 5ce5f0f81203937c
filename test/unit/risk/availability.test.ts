import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/model.ts';
import { deployment, lines, obj, planned, review } from './support.ts';

const probe = { httpGet: { path: '/ready', port: 8080 } };
const web = (containers: unknown[], replicas = 2) => deployment('web', { containers }, { replicas });
const pdb = (spec: Record<string, unknown>) =>
  obj('PodDisruptionBudget', 'web', { spec: { selector: { matchLabels: { app: 'web' } }, ...spec } });

describe('availability', () => {
  const cases: {
    name: string;
    desired: KubeObject;
    live: KubeObject | null;
    predicted?: KubeObject;
    cluster?: KubeObject[];
    want: string[];
  }[] = [
    {
      name: 'replicas to 0',
      desired: web([{ name: 'web', image: 'web:1' }], 0),
      live: web([{ name: 'web', image: 'web:1' }], 3),
      want: ['availability warning Deployment/app/web: scales to 0 replicas (from 3): it stops serving'],
    },
    {
      name: 'a readiness probe removed',
      desired: web([{ name: 'web', image: 'web:1' }]),
      live: web([{ name: 'web', image: 'web:1', readinessProbe: probe }]),
      want: [
        'availability warning Deployment/app/web: readiness probe removed from container web: its Pods count as ready before they are',
      ],
    },
    {
      name: 'a readiness probe whose handler the apply removes, server defaults left behind',
      desired: web([{ name: 'web', image: 'web:1' }]),
      live: web([{ name: 'web', image: 'web:1', readinessProbe: { ...probe, periodSeconds: 10 } }]),
      predicted: web([{ name: 'web', image: 'web:1', readinessProbe: { periodSeconds: 10 } }]),
      want: [
        'availability warning Deployment/app/web: readiness probe removed from container web: its Pods count as ready before they are',
      ],
    },
    {
      name: 'a readiness probe another manager keeps (Git sets none, the apply removes none)',
      desired: web([{ name: 'web', image: 'web:1' }]),
      live: web([{ name: 'web', image: 'web:1', readinessProbe: probe }]),
      predicted: web([{ name: 'web', image: 'web:1', readinessProbe: probe }]),
      want: [],
    },
    {
      name: 'a readiness probe changed, not removed',
      desired: web([{ name: 'web', image: 'web:1', readinessProbe: { ...probe, periodSeconds: 5 } }]),
      live: web([{ name: 'web', image: 'web:1', readinessProbe: probe }]),
      want: [],
    },
    {
      name: 'an image off its digest, and one to latest',
      desired: web([
        { name: 'web', image: 'registry.local:5000/web:1.2' },
        { name: 'side', image: 'busybox' },
      ]),
      live: web([
        { name: 'web', image: 'registry.local:5000/web@sha256:0123' },
        { name: 'side', image: 'busybox:1.36' },
      ]),
      want: [
        'availability warning Deployment/app/web: container side: image moves to latest (busybox:1.36 → busybox)',
        'availability warning Deployment/app/web: container web: image moves from a digest to a tag (registry.local:5000/web@sha256:0123 → registry.local:5000/web:1.2)',
      ],
    },
    {
      name: 'a tag to another tag',
      desired: web([{ name: 'web', image: 'web:1.3' }]),
      live: web([{ name: 'web', image: 'web:1.2' }]),
      want: [],
    },
    {
      name: 'a PodDisruptionBudget no eviction can satisfy with the live replicas',
      desired: pdb({ minAvailable: 2 }),
      live: null,
      cluster: [web([{ name: 'web', image: 'web:1' }], 2)],
      want: [
        'availability warning PodDisruptionBudget/app/web: minAvailable 2 allows no eviction with the 2 live replicas it selects (Deployment/web runs 2): node drains and evictions block',
      ],
    },
    {
      name: 'maxUnavailable 0',
      desired: pdb({ maxUnavailable: 0 }),
      live: null,
      cluster: [web([{ name: 'web', image: 'web:1' }], 4)],
      want: [
        'availability warning PodDisruptionBudget/app/web: maxUnavailable 0 allows no eviction with the 4 live replicas it selects (Deployment/web runs 4): node drains and evictions block',
      ],
    },
    {
      name: 'a PodDisruptionBudget the live replicas satisfy (50% of 3 leaves one to evict)',
      desired: pdb({ minAvailable: '50%' }),
      live: null,
      cluster: [web([{ name: 'web', image: 'web:1' }], 3)],
      want: [],
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const result = await review({
        objects: [planned({ desired: c.desired, live: c.live, predicted: c.predicted })],
        live: c.cluster,
      });
      assert.deepEqual(lines(result, 'availability'), c.want);
    });
});
